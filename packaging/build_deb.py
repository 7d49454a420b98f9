"""Build `dist/twexport_<version>_<arch>.deb` from the PyInstaller folder, with Debian's own tools (dpkg-deb).

The package installs the app under /opt/twexport, the `twexport` command (/usr/bin/twexport, a link to the
binary), the desktop entry and icons; it depends on the system libraries the bundled Qt needs and does not carry
(found with ldd, named with `dpkg -S` on the build machine). Removing it removes all of that; the user's data folder
(~/.local/share/TwExport) is never the package's and is never touched.

Usage (after `pyinstaller packaging/twexport.spec`):  python packaging/build_deb.py [--app-dir dist/TwExport]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "twexport"
INSTALL_DIR = Path("opt") / PACKAGE
EXECUTABLE = "TwExport"
MAINTAINER = "TwExport maintainers <twexport@users.noreply.github.com>"

# Bundled files whose libraries are only recommended: the app runs without them (Qt skips a plug-in that does not
# load). The GTK platform theme and the Wayland platform with its helpers; X11 (xcb) is the one Qt falls back to.
OPTIONAL_PLUGIN_PATTERNS = (
    re.compile(r"/plugins/platformthemes/libqgtk3\.so$"),
    re.compile(r"/plugins/platforms/libqwayland\.so$"),
    re.compile(r"/plugins/wayland-[^/]+/"),
    re.compile(r"/libQt6Wayland[^/]*\.so"),
    re.compile(r"/libQt6WlShellIntegration[^/]*\.so"),
    re.compile(r"/plugins/platforminputcontexts/libibusplatforminputcontextplugin\.so$"),
)

# The maintainer scripts. Files dpkg installed are removed by dpkg; these remove what the app or a user could
# have added inside /opt/twexport (never anything in a home folder), and refresh the menu caches where the
# desktop's tools exist (their dpkg triggers do it too on most systems; the explicit call covers the others).
POSTINST = """#!/bin/sh
set -e
if [ "$1" = "configure" ]; then
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q /usr/share/applications || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true
fi
exit 0
"""
POSTRM = """#!/bin/sh
set -e
case "$1" in
    remove|purge)
        rm -rf /opt/twexport
        command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q /usr/share/applications || true
        command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true
        ;;
esac
exit 0
"""


@dataclass(frozen=True)
class SystemDependencies:
    """Debian package names for the libraries the bundle links but does not contain."""

    required: list[str]
    recommended: list[str]


def app_version() -> str:
    init = (ROOT / "twexport_qt" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', init, re.MULTILINE)
    if match is None:
        raise SystemExit("no __version__ in twexport_qt/__init__.py")
    return match.group(1)


def debian_arch() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()


def is_elf(path: Path) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as file:
        return file.read(4) == b"\x7fELF"


def needed_names(binary: Path) -> set[str]:
    """The libraries `binary` names itself (DT_NEEDED): the package depends on these, not on their own needs."""
    dynamic = subprocess.run(["readelf", "-d", "--wide", str(binary)], check=True, capture_output=True,
                             text=True).stdout
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic))


def resolved_libraries(binary: Path, bundle_dirs: list[Path]) -> dict[str, str]:
    """name -> path (or "not found") for the libraries the dynamic loader finds for `binary`, as ldd says."""
    env = {**os.environ, "LD_LIBRARY_PATH": os.pathsep.join(str(folder) for folder in bundle_dirs)}
    result = subprocess.run(["ldd", str(binary)], check=False, capture_output=True, text=True, env=env)
    found: dict[str, str] = {}
    for line in result.stdout.splitlines():
        name, arrow, target = line.strip().partition(" => ")
        if arrow:
            found[name] = target.split(" (")[0].strip()
        elif name.startswith("/"):  # the dynamic loader, named by its path
            path = name.split(" (")[0]
            found[Path(path).name] = path
    return found


def owning_packages(libraries: set[Path]) -> dict[Path, str]:
    """The Debian package that installed each library, from one `dpkg-query -S` (paths tried as given and
    without/with /usr, for merged-/usr systems where dpkg knows only one of them)."""
    candidates: dict[str, Path] = {}
    for library in libraries:
        text = str(library)
        candidates[text] = library
        candidates[text.removeprefix("/usr") if text.startswith("/usr/") else "/usr" + text] = library
    # Exit status 1 when some path is unknown (its other spelling may be known): read what it found.
    result = subprocess.run(["dpkg-query", "-S", *candidates], check=False, capture_output=True, text=True)
    owners: dict[Path, str] = {}
    for line in result.stdout.splitlines():
        packages, _, path = line.partition(": ")
        if path in candidates:
            owners[candidates[path]] = packages.split(",")[0].split(":")[0].strip()
    unowned = sorted(str(library) for library in libraries if library not in owners)
    if unowned:
        raise SystemExit(f"no Debian package owns {unowned}: cannot name the dependency")
    return owners


def system_dependencies(app_dir: Path) -> SystemDependencies:
    internal = app_dir / "_internal"
    bundle_dirs = [internal, internal / "PySide6" / "Qt" / "lib", internal / "PySide6", internal / "numpy.libs"]
    bundled = {path.name for path in app_dir.rglob("*")}
    required: set[Path] = set()
    recommended: set[Path] = set()
    missing_required: dict[str, list[str]] = {}
    for binary in sorted(path for path in app_dir.rglob("*") if is_elf(path)):
        from_system = needed_names(binary) - bundled
        if not from_system:
            continue
        optional = any(pattern.search(binary.as_posix()) for pattern in OPTIONAL_PLUGIN_PATTERNS)
        found = resolved_libraries(binary, bundle_dirs)
        missing = sorted(name for name in from_system if not found.get(name, "").startswith("/"))
        if missing and not optional:
            missing_required[binary.relative_to(app_dir).as_posix()] = missing
        paths = {Path(found[name]).resolve() for name in from_system if name not in missing}
        (recommended if optional else required).update(paths)
    if missing_required:
        raise SystemExit("libraries not installed on the build machine, so their packages cannot be named: "
                         f"{missing_required} (install them: .ci/run lists the packages)")
    owners = owning_packages(required | recommended)
    required_packages = {owners[library] for library in required}
    recommended_packages = {owners[library] for library in recommended} - required_packages
    return SystemDependencies(required=sorted(required_packages), recommended=sorted(recommended_packages))


def install_tree(app_dir: Path, stage: Path) -> None:
    shutil.copytree(app_dir, stage / INSTALL_DIR, symlinks=True)
    (stage / "usr" / "bin").mkdir(parents=True)
    # A link, not a copy or wrapper: PyInstaller's bootloader finds _internal/ next to the resolved executable.
    (stage / "usr" / "bin" / PACKAGE).symlink_to(Path("/") / INSTALL_DIR / EXECUTABLE)
    applications = stage / "usr" / "share" / "applications"
    applications.mkdir(parents=True)
    shutil.copy2(ROOT / "resources" / "twexport.desktop", applications / f"{PACKAGE}.desktop")
    icons = stage / "usr" / "share" / "icons" / "hicolor"
    (icons / "256x256" / "apps").mkdir(parents=True)
    shutil.copy2(ROOT / "resources" / "twexport.png", icons / "256x256" / "apps" / f"{PACKAGE}.png")
    (icons / "scalable" / "apps").mkdir(parents=True)
    shutil.copy2(ROOT / "resources" / "twexport.svg", icons / "scalable" / "apps" / f"{PACKAGE}.svg")
    for folder, _subfolders, files in os.walk(stage):
        os.chmod(folder, 0o755)
        for name in files:
            file = Path(folder) / name
            if not file.is_symlink():
                executable = file.stat().st_mode & stat.S_IXUSR
                os.chmod(file, 0o755 if executable else 0o644)


def validate_desktop_entry(stage: Path) -> None:
    entry = stage / "usr" / "share" / "applications" / f"{PACKAGE}.desktop"
    validator = shutil.which("desktop-file-validate")
    if validator is None:
        print("desktop-file-validate not installed (package desktop-file-utils): desktop entry not validated")
        return
    result = subprocess.run([validator, str(entry)], check=False, capture_output=True, text=True)
    if result.returncode != 0 or "error:" in result.stdout:
        raise SystemExit(f"the desktop entry is invalid:\n{result.stdout}{result.stderr}")


def write_control(stage: Path, version: str, arch: str, dependencies: SystemDependencies) -> None:
    debian = stage / "DEBIAN"
    debian.mkdir()
    installed_kib = sum(path.lstat().st_size for path in stage.rglob("*") if not path.is_dir()) // 1024
    fields = {
        "Package": PACKAGE,
        "Version": version,
        "Architecture": arch,
        "Maintainer": MAINTAINER,
        "Installed-Size": str(installed_kib),
        "Depends": ", ".join(dependencies.required),
        "Recommends": ", ".join(dependencies.recommended),
        "Section": "net",
        "Priority": "optional",
        "Homepage": "https://github.com/twexport/twexport",
        "Description": "X (Twitter) audience toolkit: followers, DM campaigns, tweet datasets\n"
                       " TwExport fetches your X followers into a local database, filters and exports them,\n"
                       " runs paced DM campaigns and builds tweet datasets with sentiment labels.",
    }
    control = "".join(f"{key}: {value}\n" for key, value in fields.items() if value)
    (debian / "control").write_text(control, encoding="utf-8")
    for name, script in (("postinst", POSTINST), ("postrm", POSTRM)):
        (debian / name).write_text(script, encoding="utf-8")
        os.chmod(debian / name, 0o755)


def build_deb(app_dir: Path, out_dir: Path) -> Path:
    if not (app_dir / EXECUTABLE).is_file():
        raise SystemExit(f"{app_dir / EXECUTABLE} is missing: build it first with pyinstaller packaging/twexport.spec")
    version, arch = app_version(), debian_arch()
    dependencies = system_dependencies(app_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    deb = out_dir / f"{PACKAGE}_{version}_{arch}.deb"
    with tempfile.TemporaryDirectory(prefix="twexport-deb-") as temp:
        stage = Path(temp) / "root"
        stage.mkdir()
        install_tree(app_dir, stage)
        validate_desktop_entry(stage)
        write_control(stage, version, arch, dependencies)
        # xz, as in Debian's archive (every dpkg reads it), at its strongest level: ~10% smaller than the default
        # for a few more seconds of building; unpacking needs no more memory than the default's (~65 MB).
        subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "-z9", "-Sextreme", "--build", str(stage),
                        str(deb)], check=True, stdout=subprocess.DEVNULL)
    print(f"Built {deb} ({deb.stat().st_size / 1e6:.1f} MB)")
    print(f"Depends: {', '.join(dependencies.required)}")
    print(f"Recommends: {', '.join(dependencies.recommended)}")
    return deb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-dir", type=Path, default=ROOT / "dist" / "TwExport",
                        help="the PyInstaller folder (default: dist/TwExport)")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="where the .deb goes (default: dist/)")
    args = parser.parse_args(argv)
    if shutil.which("dpkg-deb") is None:
        print("dpkg-deb is missing: build the .deb on Debian or Ubuntu", file=sys.stderr)
        return 1
    build_deb(args.app_dir.resolve(), args.out.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
