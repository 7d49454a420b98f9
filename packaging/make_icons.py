"""Make the Windows (.ico) and macOS (.icns) app icons from resources/twexport.png, with Qt's image plug-ins.

The spec needs them on those platforms (PyInstaller turns a .png into .ico/.icns only when Pillow is installed,
and it is not a dependency). The results are committed in resources/; run this again after changing the .png:
    .venv/bin/python packaging/make_icons.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QImageWriter

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
SOURCE = RESOURCES / "twexport.png"
ICON_SIZE = 256  # the largest size Windows' .ico shows, and a standard .icns size


def write_icon(image: QImage, target: Path, image_format: str) -> None:
    writer = QImageWriter(str(target), image_format.encode())
    if not writer.write(image):
        raise SystemExit(f"could not write {target}: {writer.errorString()}")
    print(f"Wrote {target} ({target.stat().st_size:,} bytes)")


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])  # image plug-ins load once an application object exists
    image = QImage(str(SOURCE))
    if image.isNull():
        raise SystemExit(f"could not read {SOURCE}")
    if image.width() != ICON_SIZE or image.height() != ICON_SIZE:
        image = image.scaled(ICON_SIZE, ICON_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    write_icon(image, RESOURCES / "twexport.ico", "ico")
    write_icon(image, RESOURCES / "twexport.icns", "icns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
