"""Checking an evidence upload by what it is, not by what it is called."""

import hashlib
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Detected type → the extension the stored file gets. Office files are ZIP containers; filetype tells a
# .docx/.xlsx from any other ZIP by the parts inside.
ALLOWED = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
}
NAME_LIMIT = 200
# Other spellings of an extension that already say the detected type: "scan.jpeg" stays as it is.
SAME_TYPE = {".jpg": (".jpeg", ".jpe", ".jfif")}


@dataclass
class CheckedFile:
    upload: UploadedFile
    name: str
    content_type: str
    extension: str
    size: int
    sha256: str


def name_for_type(name: str, extension: str) -> str:
    """The uploaded name with the extension of the type the file was found to be: a PDF called `x.html` is
    `x.pdf`, so that no one downloads it, or opens it, as what it is not. The base name stays the user's."""
    base, dot, suffix = name.rpartition(".")
    if dot and f".{suffix.lower()}" in (extension, *SAME_TYPE.get(extension, ())):
        return name
    if not dot or not base.strip():
        base = name if not dot else ""  # "scan" keeps its name; ".html" has none of its own
    base = base.rstrip(". ") or "evidence"
    return base[: NAME_LIMIT - len(extension)] + extension


def max_bytes() -> int:
    return settings.KAOPING_EVIDENCE_MAX_BYTES


def evidence_check(upload: UploadedFile) -> CheckedFile:
    """The file, if it may be kept as evidence; else ValidationError naming the file and what is wrong."""
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:NAME_LIMIT] or "evidence"
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    if upload.size > max_bytes():
        raise ValidationError(
            _("“%(name)s” is too large: files may be at most %(max)s.")
            % {"name": name, "max": filesizeformat(max_bytes())}
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    # Office files need more than the first bytes to tell them from any ZIP: read the whole (bounded) file.
    if (kind is not None and kind.mime == "application/zip") or (kind is None and head[:2] == b"PK"):
        data = upload.read()
        upload.seek(0)
        kind = filetype.guess(data)
    if kind is None or kind.mime not in ALLOWED:
        raise ValidationError(
            _("“%(name)s” is not a file type we accept: upload a PDF, a JPEG, PNG or WebP image, or an Office file.")
            % {"name": name}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(
        upload=upload,
        name=name_for_type(name, ALLOWED[kind.mime]),
        content_type=kind.mime,
        extension=ALLOWED[kind.mime],
        size=upload.size,
        sha256=digest.hexdigest(),
    )
