"""`--self-check`: prove an installation (source or PyInstaller binary) works end to end, offscreen.

Opens the main window on the built-in sandbox in a throw-away data dir, fetches followers, applies a filter,
exports a CSV, checks the bundled sentiment lexicon, the keyring backends, the Qt platform plug-in the desktop
would use and, where the build bundles ICU (Linux), what Qt asks ICU for (collation, casing, codecs, time-zone
names: packaging/trim_icu_data.py trims ICU's data to exactly that), prints each step, and exits 0 only if all of
it worked. A packaged build that left out a file the app needs fails here, loudly, instead of on a user's machine.
Nothing touches the user's own data, keyring or screen: the window is offscreen, and the desktop's platform plug-in
is only loaded, not started.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # Qt is imported only once the offscreen platform is set (run_self_check)
    from PySide6.QtWidgets import QApplication

    from twexport_qt.ui.main_window import MainWindow
    from twexport_qt.workers.job_worker import JobWorker

SELF_CHECK_FOLLOWERS = 2_500
JOB_TIMEOUT_S = 180.0


# The keyring backend each platform stores secrets in (keyring's entry-point name, as in its dist-info), and the
# modules it needs at run time beyond keyring itself: a bundle without them silently keeps secrets for one session.
KEYRING_BACKENDS = {
    "linux": ("SecretService", ("secretstorage", "jeepney", "cryptography.hazmat.primitives.ciphers")),
    "win32": ("Windows", ("win32ctypes.pywin32.win32cred",)),
    "darwin": ("macOS", ()),
}


# Where Qt's ICU comes with the PySide6 wheel, and so is the package's to prove: Linux. Qt on Windows uses the
# system's ICU, on macOS none (Core Foundation collates and names zones; Qt itself then has no Turkish casing or
# legacy codecs): there the ICU steps are skipped, not failed.
ICU_BUNDLED_PLATFORMS = ("linux",)
TRIMMED_ICU_HINT = "the bundled ICU data lacks it (see packaging/trim_icu_data.py)"


@dataclass(frozen=True)
class CodecSample:
    """A codec Qt opens through ICU and a short text in it."""

    name: str
    encoded: bytes
    text: str


# One each of the families the ICU data has tables for: Japanese, Chinese (simplified, traditional, GB18030),
# Korean, the Windows and ISO 8859 code pages, Cyrillic, and a stateful ISO-2022 codec.
CODEC_SAMPLES = (
    CodecSample("Shift_JIS", b"\x93\xfa\x96\x7b", "\u65e5\u672c"),
    CodecSample("GBK", b"\xd6\xd0\xce\xc4", "\u4e2d\u6587"),
    CodecSample("GB18030", b"\x81\x30\x81\x30", "\x80"),
    CodecSample("Big5", b"\xa4\xa4", "\u4e2d"),
    CodecSample("EUC-KR", b"\xc7\xd1", "\ud55c"),
    CodecSample("windows-1252", b"\x80", "\u20ac"),
    CodecSample("ISO-8859-2", b"\xb1", "\u0105"),
    CodecSample("KOI8-R", b"\xc1", "\u0430"),
    CodecSample("ISO-2022-JP", b"\x1b$BF|\x1b(B", "\u65e5"),
)


class SelfCheckFailed(Exception):
    pass


def run_self_check(args: argparse.Namespace | None = None) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    workdir = Path(tempfile.mkdtemp(prefix="twexport-self-check-"))
    try:
        _run(workdir)
    except SelfCheckFailed as exc:
        print(f"SELF-CHECK FAILED: {exc}")
        return 1
    except (ImportError, OSError):  # a module or file a packaged build left out: the traceback names it
        traceback.print_exc(file=sys.stdout)
        print("SELF-CHECK FAILED: unexpected error (traceback above)")
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("SELF-CHECK PASSED")
    return 0


def _run(workdir: Path) -> None:
    from twexport_qt import __version__
    from twexport_qt.app_context import AppContext
    from twexport_qt.exports.exporters import ExportKind
    from twexport_qt.followers.filters import FollowerFilter
    from twexport_qt.sandbox.config import SandboxConfig
    from twexport_qt.secrets.backends import SessionOnlyBackend
    from twexport_qt.secrets.store import SecretStore
    from twexport_qt.settings.model import AppSettings
    from twexport_qt.tweets.sentiment import SentimentLabeler
    from twexport_qt.ui.application import create_qt_app
    from twexport_qt.ui.main_window import MainWindow

    print(f"TwExport {__version__} self-check in {workdir}")
    app = create_qt_app([sys.argv[0]])
    context = AppContext(workdir / "data", settings=AppSettings(), secrets=SecretStore(SessionOnlyBackend()),
                         sandbox_config=SandboxConfig(followers=SELF_CHECK_FOLLOWERS, seed=7))
    window = MainWindow(context, interactive=False)
    try:
        window.show()
        app.processEvents()
        _expect(context.is_sandbox and "Sandbox" in window.windowTitle(), "the window did not open on the sandbox")
        print(f"1. Main window opened offscreen: {window.windowTitle()!r}")

        _wait_for(app, window, window.followers_tab.start_fetch(), "fetch followers")
        model = window.followers_tab.model
        fetched = model.rowCount() if model is not None else 0
        _expect(fetched == SELF_CHECK_FOLLOWERS,
                f"expected {SELF_CHECK_FOLLOWERS} followers, the table shows {fetched}")
        print(f"2. Fetched {fetched:,} followers from the sandbox into SQLite")

        high_value = FollowerFilter(min_followers=1_000)
        window.followers_tab.filter_panel.set_filter(high_value)
        window.followers_tab.filter_panel.flush()
        model = window.followers_tab.model
        matching = model.rowCount() if model is not None else 0
        _expect(0 < matching < fetched, f"the filter matched {matching} of {fetched}")
        print(f"3. Filter 'at least 1,000 followers' matches {matching:,} followers")

        out = workdir / "followers.csv"
        export = window.export_menu.export_to(ExportKind.FOLLOWERS, out, window.followers_tab.current_filter)
        _wait_for(app, window, export, "export followers")
        with out.open(newline="", encoding="utf-8") as file:
            rows = list(csv.reader(file))
        _expect(len(rows) == matching + 1 and rows[0][0] == "user_id", f"the CSV has {len(rows)} lines")
        print(f"4. Exported {len(rows) - 1:,} rows to {out.name}")

        label = SentimentLabeler(3).label("I love this, what a wonderful day!")
        _expect(label == "POSITIVE", f"sentiment gave {label!r}")
        print("5. Sentiment lexicon loaded (bundled, no download)")

        print(f"6. Keyring backend bundled: {check_keyring_backend()}")
        print(f"7. Qt platform plug-ins: {check_platform_plugins(app.platformName())}")
        if sys.platform.startswith(ICU_BUNDLED_PLATFORMS):
            print(f"8. ICU collation: {check_icu_collation()}")
            print(f"9. ICU case mapping: {check_icu_case_mapping()}")
            print(f"10. ICU codecs: {check_icu_codecs()}")
            print(f"11. ICU time-zone names: {check_icu_time_zone_names()}")
        else:
            print(f"8. ICU: not bundled on {sys.platform} (Qt uses the system's), not checked")
    finally:
        window.close()
        window.jobs.shutdown()
        context.close()


def check_keyring_backend(platform: str = sys.platform) -> str:
    """Load this platform's keyring backend the way keyring finds it (its entry point), and what it imports.

    Only the code is loaded: whether a keyring is running and unlocked is the user's desktop, not the package.
    """
    key = "linux" if platform.startswith("linux") else platform
    if key not in KEYRING_BACKENDS:
        return f"none expected on {platform}"
    name, needs = KEYRING_BACKENDS[key]
    found = {entry.name: entry for entry in metadata.entry_points(group="keyring.backends")}
    if name not in found:
        raise SelfCheckFailed(f"keyring's {name} backend is not registered (keyring's metadata is missing); "
                              f"registered: {sorted(found) or 'none'}")
    try:
        found[name].load()
        for module in needs:
            importlib.import_module(module)
    except ImportError as exc:
        raise SelfCheckFailed(f"keyring's {name} backend cannot load: {exc}") from exc
    return f"{name} ({found[name].value})" + (f", with {', '.join(needs)}" if needs else "")


def check_icu_collation() -> str:
    """QCollator (ucol_*): locales order letters differently, from ICU's collation data (coll/)."""
    from PySide6.QtCore import QCollator, QLocale

    swedish, german = QCollator(QLocale("sv")), QCollator(QLocale("de"))
    _expect(swedish.compare("\u00e4", "z") > 0, f"Swedish collation does not sort a-umlaut after z: {TRIMMED_ICU_HINT}")
    _expect(german.compare("\u00e4", "z") < 0, f"German collation does not sort a-umlaut before z: {TRIMMED_ICU_HINT}")
    _expect(swedish.sortKey("\u00e4").compare(swedish.sortKey("z")) > 0,
            f"Swedish sort keys do not order a-umlaut after z: {TRIMMED_ICU_HINT}")
    numeric = QCollator(QLocale("en"))
    numeric.setNumericMode(True)
    _expect(numeric.compare("file9", "file10") < 0, f"numeric collation sorts file10 before file9: {TRIMMED_ICU_HINT}")
    return "Swedish sorts a-umlaut after z, German before it (also by sort key); numeric mode sorts file9 first"


def check_icu_case_mapping() -> str:
    """QLocale::toUpper/toLower (u_strToUpper/Lower): the language-specific rules plain QString casing lacks."""
    from PySide6.QtCore import QLocale

    turkish, greek, german = QLocale("tr"), QLocale("el"), QLocale("de")
    cases = {
        "Turkish upper i": (turkish.toUpper("i"), "\u0130"),
        "Turkish lower I": (turkish.toLower("I"), "\u0131"),
        "Greek upper (accents dropped)": (greek.toUpper("\u03ac\u03b4\u03b5\u03b9\u03b1"),
                                          "\u0391\u0394\u0395\u0399\u0391"),
        "German upper sharp s": (german.toUpper("stra\u00dfe"), "STRASSE"),
    }
    for what, (got, expected) in cases.items():
        _expect(got == expected, f"ICU case mapping, {what}: got {got!a}, expected {expected!a}")
    return ", ".join(cases)


def decode_with_codec(name: str, encoded: bytes) -> str:
    """`encoded` decoded by Qt's QStringDecoder for the codec `name`, or "" if Qt has no such codec.

    PySide6 has no call to decode with a QStringDecoder; QXmlStreamReader decodes a document with the
    QStringDecoder of the encoding its declaration names, and so exercises the same ICU converter.
    """
    from PySide6.QtCore import QBuffer, QByteArray, QIODeviceBase, QXmlStreamReader

    document = b'<?xml version="1.0" encoding="' + name.encode("ascii") + b'"?><t>' + encoded + b"</t>"
    buffer = QBuffer()
    buffer.setData(QByteArray(document))
    buffer.open(QIODeviceBase.OpenModeFlag.ReadOnly)
    reader = QXmlStreamReader(buffer)
    if not reader.readNextStartElement():
        return ""
    text = reader.readElementText()
    return "" if reader.hasError() else text


def check_icu_codecs() -> str:
    """QStringDecoder/QStringEncoder for codecs beyond UTF and Latin-1 (ucnv_*): ICU's conversion tables."""
    from PySide6.QtCore import QStringConverter, QStringDecoder, QStringEncoder

    for sample in CODEC_SAMPLES:
        _expect(QStringDecoder(sample.name).isValid() and QStringEncoder(sample.name).isValid(),
                f"Qt has no {sample.name} codec: {TRIMMED_ICU_HINT}")
        decoded = decode_with_codec(sample.name, sample.encoded)
        _expect(decoded == sample.text,
                f"{sample.name} decodes {sample.encoded!r} as {decoded!a}, not {sample.text!a}")
    available = len(QStringConverter.availableCodecs())
    return f"{', '.join(sample.name for sample in CODEC_SAMPLES)} decode; {available} codecs available"


def check_icu_time_zone_names() -> str:
    """QTimeZone::displayName (ucal_*): localized names from ICU's zone data, digits from the locale's own data."""
    from PySide6.QtCore import QLocale, QTimeZone

    berlin = QTimeZone(b"Europe/Berlin")
    _expect(berlin.isValid(), "Europe/Berlin is not a known time zone: the system's time-zone data (tzdata) is missing")
    standard, daylight = QTimeZone.TimeType.StandardTime, QTimeZone.TimeType.DaylightTime
    long_name, short_name = QTimeZone.NameType.LongName, QTimeZone.NameType.ShortName
    english = berlin.displayName(standard, long_name, QLocale("en"))
    names = {
        "English": (english, "Central European"),
        "German": (berlin.displayName(standard, long_name, QLocale("de")), "Mitteleurop\u00e4ische"),
        "German summer": (berlin.displayName(daylight, long_name, QLocale("de")), "Sommerzeit"),
        # "GMT+1" in Arabic digits: the short name falls back to the localized offset, whose digits come from the
        # locale's main data (its numbering system), not from the time-zone names.
        "Arabic short": (berlin.displayName(standard, short_name, QLocale("ar")), "\u0661"),
    }
    for what, (name, expected) in names.items():
        _expect(expected in name, f"the {what} name of Europe/Berlin is {name!a}, without {expected!a}: "
                                  f"{TRIMMED_ICU_HINT}")
    system_zone = QTimeZone.systemTimeZone()
    _expect(system_zone.isValid(), "the system time zone is not valid")
    return (f"Europe/Berlin is {english!a} ({', '.join(names)} names found); "
            f"system zone {bytes(system_zone.id().data()).decode()}")


def native_platform_plugins(platform: str = sys.platform, environ: Mapping[str, str] = os.environ) -> list[str]:
    """The Qt platform plug-ins the desktop app would use here: xcb and/or wayland on Linux when a display exists
    (none without one: a server or CI has only offscreen), windows or cocoa elsewhere."""
    if platform.startswith("linux"):
        return (["xcb"] if environ.get("DISPLAY") else []) + (["wayland"] if environ.get("WAYLAND_DISPLAY") else [])
    return {"win32": ["windows"], "darwin": ["cocoa"]}.get(platform, [])


def check_platform_plugins(running: str) -> str:
    """The plug-in the self-check runs on worked (the window opened on it); each native plug-in the desktop would
    use is in the bundle and loads, its system libraries included. Loading it does not connect to the display."""
    from PySide6.QtCore import QLibraryInfo, QPluginLoader

    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    by_key: dict[str, Path] = {}
    for file in sorted(folder.iterdir()) if folder.is_dir() else []:
        # The plug-in's JSON metadata, read without loading it: {"MetaData": {"Keys": ["xcb"]}, ...}
        plugin_metadata = cast("dict[str, Any]", QPluginLoader(str(file)).metaData())
        keys = plugin_metadata.get("MetaData", {}).get("Keys", [])
        by_key.update({str(key): file for key in keys})
    report = [f"{running} (in use)"]
    for name in native_platform_plugins():
        if name == running:
            continue
        if name not in by_key:
            raise SelfCheckFailed(f"the Qt platform plug-in {name!r} is not in {folder} (found: {sorted(by_key)})")
        loader = QPluginLoader(str(by_key[name]))
        if not loader.load():
            raise SelfCheckFailed(f"the Qt platform plug-in {name!r} does not load: {loader.errorString()} "
                                  "(install the system libraries README names)")
        report.append(f"{name} (loads)")
    return ", ".join(report)


def _wait_for(app: QApplication, window: MainWindow, worker: JobWorker | None, what: str) -> None:
    if worker is None:
        raise SelfCheckFailed(f"could not start: {what}")
    from twexport_qt.services.jobs import JobOutcome

    outcome: list[JobOutcome] = []
    window.jobs.jobEnded.connect(lambda _name, result: outcome.append(result))
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while not outcome:
        app.processEvents()
        if time.monotonic() > deadline:
            raise SelfCheckFailed(f"{what} took longer than {JOB_TIMEOUT_S:.0f} s")
        time.sleep(0.01)
    window.jobs.jobEnded.disconnect()
    app.processEvents()
    if outcome[0] is not JobOutcome.SUCCEEDED:
        raise SelfCheckFailed(f"{what} {outcome[0]}: {window.jobs.last_error or ''}")


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise SelfCheckFailed(message)
