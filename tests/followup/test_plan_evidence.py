"""Evidence files are judged by their content, not their names; a refused file stores nothing."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from followup.evidence import evidence_check
from followup.models import Evidence, ProgressUpdate
from followup.services import progress_post
from tests.followup.plan_helpers import case_with_weak_leader, hr_user, plan_to, user_of

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def xlsx() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize(
    ("name", "data", "mime", "extension"),
    [
        ("学习笔记.png", PNG, "image/png", ".png"),
        ("调研报告.pdf", PDF, "application/pdf", ".pdf"),
        ("台账.xlsx", xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    ],
)
def test_accepted_files_are_typed_by_their_content(name, data, mime, extension):
    checked = evidence_check(upload(name, data))
    assert (checked.name, checked.content_type, checked.extension, checked.size) == (name, mime, extension, len(data))


@pytest.mark.parametrize(
    ("name", "data", "kept_as"),
    [
        # The name does not matter, the content does: each file is named by the type it was found to be.
        ("照片.pdf", PNG, "照片.png"),
        ("x.html", PDF, "x.pdf"),
        ("报告.docx.exe", PDF, "报告.docx.pdf"),
        ("扫描件", PDF, "扫描件.pdf"),
        (".html", PDF, "evidence.pdf"),
        ("REPORT.PDF", PDF, "REPORT.PDF"),
    ],
)
def test_a_file_is_named_by_its_detected_type(name, data, kept_as):
    assert evidence_check(upload(name, data)).name == kept_as


def zip_of_text() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("readme.txt", "not an office file")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.pdf", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200, "is not a file type we accept"),
        ("报告.docx", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "is not a file type we accept"),
        ("notes.docx", "只是一段文字".encode() * 20, "is not a file type we accept"),
        ("archive.xlsx", zip_of_text(), "is not a file type we accept"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_refused_files_say_why(name, data, message):
    with pytest.raises(ValidationError, match=message):
        evidence_check(upload(name, data))


def test_a_file_over_the_limit_is_refused(settings):
    settings.KAOPING_EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match=r"too large: files may be at most 1\.0"):
        evidence_check(upload("big.pdf", PDF + b"0" * 2000))


def test_a_path_in_the_uploaded_name_is_dropped():
    assert evidence_check(upload("../../etc/照片.png", PNG)).name == "照片.png"


@pytest.mark.django_db
def test_evidence_is_stored_with_the_update_and_removed_if_the_update_fails(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    _, case, (a, *_) = case_with_weak_leader()
    plan = plan_to("approved", case, a, hr_user())
    action = plan.actions.first()
    progress_post(
        action=action, actor=user_of(a), note="第一次学习", progress=30, files=[evidence_check(upload("笔记.png", PNG))]
    )
    evidence = Evidence.objects.get()
    assert evidence.name == "笔记.png" and evidence.content_type == "image/png"
    assert default_storage.open(evidence.file.name).read() == PNG
    assert "笔记" not in evidence.file.name  # stored under a random name

    # Refused after the file was checked (progress may not go back): no row, and no file left behind.
    files_before = sorted(p.name for p in (tmp_path / "evidence" / str(plan.pk)).iterdir())
    with pytest.raises(ValidationError):
        progress_post(
            action=action, actor=user_of(a), note="x", progress=10, files=[evidence_check(upload("b.pdf", PDF))]
        )
    assert Evidence.objects.count() == 1 and ProgressUpdate.objects.count() == 1
    assert sorted(p.name for p in (tmp_path / "evidence" / str(plan.pk)).iterdir()) == files_before

    # Failing after the file was written (here: the timeline write): the rows roll back, the file goes too.
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("followup.services.plans._event", broken)
    with pytest.raises(RuntimeError):
        progress_post(
            action=action, actor=user_of(a), note="y", progress=60, files=[evidence_check(upload("c.pdf", PDF))]
        )
    assert Evidence.objects.count() == 1 and ProgressUpdate.objects.count() == 1
    assert sorted(p.name for p in (tmp_path / "evidence" / str(plan.pk)).iterdir()) == files_before


@pytest.mark.django_db
def test_a_pdf_uploaded_as_html_is_stored_and_downloaded_as_a_pdf(client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    _, case, (a, *_) = case_with_weak_leader()
    plan = plan_to("approved", case, a, hr_user())
    client.force_login(user_of(a))
    client.post(
        reverse("followup:plan_progress", args=[plan.pk, plan.actions.first().pk]),
        {"note": "纪要", "progress": 20, "files": [SimpleUploadedFile("x.html", PDF, content_type="text/html")]},
    )

    evidence = Evidence.objects.get()
    assert evidence.name == "x.pdf" and evidence.file.name.endswith(".pdf")
    response = client.get(reverse("followup:plan_evidence", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="x.pdf"'
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.django_db
def test_evidence_stored_under_its_uploaded_extension_is_downloaded_with_its_type(client, tmp_path, settings):
    # Rows from before names followed the type still say x.html: the download names them by the type.
    settings.MEDIA_ROOT = tmp_path
    _, case, (a, *_) = case_with_weak_leader()
    plan = plan_to("approved", case, a, hr_user())
    progress_post(
        action=plan.actions.first(),
        actor=user_of(a),
        note="纪要",
        progress=20,
        files=[evidence_check(upload("会议 纪要.pdf", PDF))],
    )
    Evidence.objects.update(name="会议 纪要.html")
    client.force_login(user_of(a))

    response = client.get(reverse("followup:plan_evidence", args=[Evidence.objects.get().pk]))

    assert response["Content-Type"] == "application/pdf"
    # RFC 5987 for a name that is not ASCII, with the extension of the type.
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E4%BC%9A%E8%AE%AE%20%E7%BA%AA%E8%A6%81.pdf"
