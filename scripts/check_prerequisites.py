"""What `make run` needs from the system before it starts, checked first: stdlib only, so it runs before the
virtualenv exists. Prints nothing when all is there; otherwise one line naming the Debian/Ubuntu packages to install,
and exits 1.

    python3 scripts/check_prerequisites.py

PYTHON names the interpreter the virtualenv is made with (the Makefile's, python3.11). The fonts are looked up with
fontconfig (`fc-list`), so FONTCONFIG_FILE points the lookup elsewhere."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

# The PDF reports' fonts (reports/rendering/engine.py's FONT_FAMILIES), from Debian's fonts-noto-cjk.
FONT_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC")
VENV = Path(os.environ.get("VENV") or Path(__file__).resolve().parent.parent / ".venv")


def _python_ok(python: str) -> bool:
    if (VENV / "bin" / "python").exists():
        return True  # made earlier: `make run` does not make it again
    found = shutil.which(python)
    if found is None:
        return False
    probe = "import sys, venv, ensurepip; sys.exit(sys.version_info[:2] != (3, 11))"
    return subprocess.run([found, "-c", probe], capture_output=True, check=False).returncode == 0  # noqa: S603


def _fonts_ok() -> bool:
    if shutil.which("fc-list") is None:
        return False
    listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False)  # noqa: S607
    families = {name.strip() for line in listed.stdout.splitlines() for name in line.split(",")}
    return all(family in families for family in FONT_FAMILIES)


def missing() -> dict[str, str]:
    """What is missing: the packages to install → what they are for."""
    found = {}
    if not _python_ok(os.environ.get("PYTHON", "python3.11")):
        found["python3.11 python3.11-venv"] = "Python 3.11 with venv"
    if not _fonts_ok():
        packages = "fonts-noto-cjk" if shutil.which("fc-list") else "fonts-noto-cjk fontconfig"
        found[packages] = "the Chinese fonts of the PDF reports"
    return found


def main() -> int:
    found = missing()
    if found:
        print(
            f"Kaoping cannot start: missing {'; '.join(found.values())}. "
            f"Install with: apt-get install {' '.join(found)}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
