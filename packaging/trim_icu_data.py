"""Shrink the ICU data the Linux build bundles (libicudata, 32 MB) to what Qt can ask ICU for: ~16 MB less.

PySide6's Linux wheels bundle ICU 73 (libicuuc, libicui18n and libicudata, whose one symbol, `icudt73_dat`, is ICU's
whole "common data" package). Only libQt6Core links ICU, and the ICU functions it imports (`objdump -T
libQt6Core.so.6`, Qt 6.11) are all it can ever use:

- `ucol_open/strcoll/getSortKey/setAttribute` (QCollator, QString::localeAwareCompare): the collation tree coll/;
- `u_strToUpper/u_strToLower` (QLocale::toUpper/toLower, Turkish and Greek casing): ICU's case data is compiled into
  libicuuc, no item of the package;
- `ucnv_*` (QStringConverter/QStringDecoder for codecs other than UTF and Latin-1, e.g. Shift_JIS, GBK,
  windows-1252, ISO-8859-x): every conversion table (*.cnv) and the alias table cnvalias.icu;
- `ucal_open/getTimeZoneDisplayName/getCanonicalTimeZoneID` (QTimeZone::displayName, qtimezonelocale.cpp): the
  time-zone tree zone/, zoneinfo64, metaZones, keyTypeData, timezoneTypes; the calendar and the localized "GMT+1"
  fallback also read each locale's main bundle (*.res: calendar and week data, its digits), supplementalData,
  likelySubtags and numberingSystems.

KEPT: all of that, and the small normalization and Unicode-property items (nfkc*.nrm, ulayout, uemoji): the main
locale bundles, coll/, zone/, every .cnv and the root-level resource files.
DROPPED (`DROPPED_ITEMS`): trees and items only ICU services read that QtCore never calls: break iteration
(brkitr/, ubrk_*: Qt finds word and line breaks with its own tables), transliteration (translit/), spelled-out
numbers (rbnf/), currency, language, region and unit display names (curr/ lang/ region/ unit/: Qt formats numbers
and names locales from its own CLDR data; ICU reads them only for its number, measure and locale-name formatters),
Unicode character names (unames.icu, u_charName), the spoof checker (confusables.cfu), StringPrep and IDNA (*.spp,
uts46.nrm: Qt's QUrl has its own IDNA). icupkg refuses to remove an item another kept item depends on, and
`REQUIRED_ITEMS` must survive the trim, so a mistaken pattern fails the build instead of shipping broken data.

The trimmed package is rebuilt into a library with ICU's own tools, the way ICU's build makes it: `icupkg -r`
removes the items from the package, `genccode -a gcc -e icudt73` writes the assembly for the data
(the `icudt73_dat` object in .rodata, 16-byte aligned, as ICU's pkgdata does), and gcc links it into a shared
library with the same soname and no dependencies. pkgdata itself is not used: it builds from ICU's source data
tree and its own makefile fragments, not from a package. The original package is read from the library by its
symbol's file offset (binutils' objdump), never by parsing ICU's format.

Run by packaging/twexport.spec on Linux; by hand on a built folder: python packaging/trim_icu_data.py dist/TwExport
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Items removed from the package (icupkg patterns: `*` matches any characters, '/' included), and why Qt never
# reads them. A pattern that matches nothing is fine (a newer ICU may have moved an item).
DROPPED_ITEMS = {
    "brkitr/*": "break iterators and their dictionaries (ubrk_*): Qt breaks text with its own tables",
    "translit/*": "transliterators (utrans_*)",
    "rbnf/*": "rule-based number formats, numbers spelled out (unum_* with URBNF)",
    "curr/*": "currency names (ICU's number formatter): QLocale has its own CLDR currency data",
    "lang/*": "language display names (uloc_getDisplayName*): QLocale has its own",
    "region/*": "region display names (uloc_getDisplayCountry): QLocale has its own",
    "unit/*": "measure unit names (ICU's MeasureFormat)",
    "unames.icu": "Unicode character names (u_charName)",
    "confusables.cfu": "the spoof checker's confusables (uspoof_*)",
    "*.spp": "StringPrep profiles (usprep_*, IDNA2003): QUrl has its own IDNA",
    "uts46.nrm": "UTS #46 IDNA mapping (uidna_*): QUrl has its own IDNA",
}

# Items Qt needs (see the module docstring); the trim fails if one is missing afterwards.
REQUIRED_ITEMS = (
    "cnvalias.icu", "ibm-5348_P100-1997.cnv", "ibm-943_P15A-2003.cnv",  # aliases, windows-1252, Shift_JIS
    "coll/ucadata.icu", "coll/root.res", "coll/sv.res",  # collation
    "zoneinfo64.res", "metaZones.res", "keyTypeData.res", "timezoneTypes.res", "zone/root.res", "zone/de.res",
    "supplementalData.res", "likelySubtags.res", "numberingSystems.res", "root.res", "de.res",  # calendars, digits
)

# The ICU functions Qt calls (by prefix), which DROPPED_ITEMS was decided against: a Qt that calls another one (a
# PySide6 upgrade) stops the trim until someone checks which ICU data that function reads and updates both lists.
REVIEWED_ICU_CALLS = ("ucol_", "u_strToUpper_", "u_strToLower_", "ucnv_", "UCNV_", "ucal_")

# What each tool comes from on Debian/Ubuntu (.ci/run installs them).
TOOLS = {"icupkg": "icu-devtools", "genccode": "icu-devtools", "gcc": "gcc", "objdump": "binutils",
         "readelf": "binutils"}

ICU_DATA_LIBRARY = re.compile(r"^libicudata\.so\.(\d+)$")
ENTRY_POINT_SYMBOL = re.compile(r"^icudt\d+_dat$")


class TrimError(RuntimeError):
    """The ICU data could not be trimmed: a missing tool, or a library or package that is not what was expected."""


@dataclass(frozen=True)
class DataSymbol:
    """Where the ICU data package lies in the library: its entry-point symbol and the bytes it covers."""

    name: str
    file_offset: int
    size: int

    @property
    def entry_point(self) -> str:
        """The name genccode takes (-e): the symbol without its `_dat` suffix, e.g. icudt73."""
        return self.name.removesuffix("_dat")


@dataclass(frozen=True)
class TrimResult:
    library: Path
    bytes_before: int
    bytes_after: int
    items_before: int
    items_after: int


def check_tools() -> None:
    """Fail, naming the Debian packages to install, unless every tool the trim runs is on PATH."""
    missing = sorted({tool for tool in TOOLS if shutil.which(tool) is None})
    if missing:
        packages = sorted({TOOLS[tool] for tool in missing})
        raise TrimError(f"cannot trim the bundled ICU data: {', '.join(missing)} not found "
                        f"(install the Debian packages {' '.join(packages)})")


def _run(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise TrimError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
    return result.stdout


def find_icu_data_library(app_dir: Path) -> Path | None:
    """The bundled libicudata.so.N file of a PyInstaller folder (not the links PyInstaller makes to it)."""
    found = [path for path in sorted(app_dir.rglob("libicudata.so.*"))
             if ICU_DATA_LIBRARY.match(path.name) and not path.is_symlink()]
    if len(found) > 1:
        raise TrimError(f"more than one ICU data library in {app_dir}: {[str(path) for path in found]}")
    return found[0] if found else None


def read_data_symbol(library: Path) -> DataSymbol:
    """The icudtNN_dat symbol of the library and its file offset, from objdump's dynamic symbols and sections."""
    symbols = [line.split() for line in _run(["objdump", "-T", str(library)]).splitlines()]
    # "0000000000001000 g    DO .rodata	0000000001e8bb80 icudt73_dat"
    data = [fields for fields in symbols if fields and ENTRY_POINT_SYMBOL.match(fields[-1])]
    if len(data) != 1:
        raise TrimError(f"{library.name}: expected one exported icudtNN_dat symbol, objdump -T shows {len(data)}")
    address, section, size, name = int(data[0][0], 16), data[0][-3], int(data[0][-2], 16), data[0][-1]
    # " 5 .rodata       01e8bb80  0000000000001000  0000000000001000  00001000  2**4"
    for line in _run(["objdump", "-h", "-w", str(library)]).splitlines():
        fields = line.split()
        if len(fields) >= 6 and fields[1] == section:
            section_size, section_address, file_offset = int(fields[2], 16), int(fields[3], 16), int(fields[5], 16)
            if not section_address <= address <= address + size <= section_address + section_size:
                raise TrimError(f"{library.name}: {name} does not lie inside its section {section}")
            return DataSymbol(name=name, file_offset=file_offset + address - section_address, size=size)
    raise TrimError(f"{library.name}: objdump -h does not list the section {section} of {name}")


def unreviewed_icu_calls(app_dir: Path, icu_major: str) -> list[str]:
    """ICU functions that a library of the folder (other than ICU's own) imports and REVIEWED_ICU_CALLS lacks,
    as "library: function"."""
    unreviewed = []
    for library in sorted(app_dir.rglob("*.so*")):
        if library.is_symlink() or not library.is_file() or library.name.startswith("libicu"):
            continue
        if "Shared library: [libicu" not in _run(["readelf", "-d", "-W", str(library)]):
            continue
        # "0000000000000000      DF *UND*	0000000000000000 (ICU_73)   ucol_open_73" (the version, if any, before)
        for line in _run(["objdump", "-T", str(library)]).splitlines():
            name = line.split()[-1] if "*UND*" in line else ""
            if name.endswith(f"_{icu_major}") and not name.startswith(REVIEWED_ICU_CALLS):
                unreviewed.append(f"{library.name}: {name}")
    return unreviewed


def extract_package(library: Path, package: Path) -> DataSymbol:
    """Write the library's ICU data package (the bytes of its icudtNN_dat symbol) to `package`."""
    symbol = read_data_symbol(library)
    with library.open("rb") as file:
        file.seek(symbol.file_offset)
        data = file.read(symbol.size)
    if len(data) != symbol.size:
        raise TrimError(f"{library.name} is shorter than its {symbol.name} symbol")
    package.write_bytes(data)
    return symbol


def list_items(package: Path) -> list[str]:
    """The package's item names (e.g. coll/de.res), as icupkg lists them."""
    return _run(["icupkg", "--auto_toc_prefix", "-l", str(package)]).split()


def remove_items(package: Path, trimmed: Path, patterns: list[str]) -> None:
    """icupkg -r: a copy of the package without the items the patterns match. --auto_toc_prefix keeps the
    package's own prefix (icudt73l/...) whatever the files are called; icupkg fails if a kept item needs a removed
    one."""
    remove_list = trimmed.with_name("remove.txt")
    remove_list.write_text("\n".join(patterns) + "\n", encoding="utf-8")
    # -w: write the package even when nothing matched (a folder trimmed before), so the steps after it stay one path.
    _run(["icupkg", "--auto_toc_prefix", "-w", "-r", str(remove_list), str(package), str(trimmed)])


def build_library(package: Path, entry_point: str, soname: str, library: Path) -> None:
    """ICU's genccode writes the package as assembly (the `<entry_point>_dat` object, 16-byte aligned in .rodata);
    gcc links it into a shared library with the same soname, depending on nothing (as the original)."""
    work = package.parent
    _run(["genccode", "--quiet", "-a", "gcc", "-e", entry_point, "-d", str(work), str(package)])
    (assembly,) = work.glob("*.S")
    _run(["gcc", "-shared", "-nostdlib", f"-Wl,-soname,{soname}", "-Wl,-z,noexecstack", "-o", str(library),
          str(assembly)])


def trim_library(library: Path, destination: Path) -> TrimResult:
    """Write to `destination` a copy of the ICU data library without `DROPPED_ITEMS` (same symbol and soname).

    Raises TrimError if a tool is missing or any step fails (then `destination` is not written).
    """
    check_tools()
    with tempfile.TemporaryDirectory(prefix="twexport-icu-") as temp:
        work = Path(temp)
        original = work / "original.dat"
        symbol = extract_package(library, original)
        items_before = list_items(original)
        trimmed = work / "trimmed" / "trimmed.dat"
        trimmed.parent.mkdir()
        remove_items(original, trimmed, list(DROPPED_ITEMS))
        items_after = list_items(trimmed)
        missing = [item for item in REQUIRED_ITEMS if item not in items_after]
        if missing:
            raise TrimError(f"the trimmed ICU data lacks {missing}: DROPPED_ITEMS removes what Qt needs")
        rebuilt = work / library.name
        build_library(trimmed, symbol.entry_point, library.name, rebuilt)
        # The new library must carry exactly the trimmed package under the same symbol, or ICU finds no data.
        check = work / "check.dat"
        if extract_package(rebuilt, check).name != symbol.name or check.read_bytes() != trimmed.read_bytes():
            raise TrimError(f"the rebuilt {library.name} does not hold the trimmed package as {symbol.name}")
        bytes_before = library.stat().st_size
        shutil.copyfile(rebuilt, destination)
    return TrimResult(library=destination, bytes_before=bytes_before, bytes_after=destination.stat().st_size,
                      items_before=len(items_before), items_after=len(items_after))


def trim_icu_data(app_dir: Path) -> TrimResult | None:
    """Replace the folder's libicudata, in place, with one holding only what Qt uses (None: the folder bundles no
    ICU). PyInstaller's links to it (_internal/libicudata.so.N) stay. Raises TrimError as `trim_library`; the
    original library is then left as it was."""
    check_tools()
    library = find_icu_data_library(app_dir)
    if library is None:
        return None
    icu_major = library.name.rsplit(".", 1)[-1]
    unreviewed = unreviewed_icu_calls(app_dir, icu_major)
    if unreviewed:
        raise TrimError(f"Qt calls ICU functions the trim was not reviewed for: {', '.join(unreviewed)}; check "
                        "which ICU data they read, then update DROPPED_ITEMS and REVIEWED_ICU_CALLS")
    return trim_library(library, library)


def folder_bytes(folder: Path) -> int:
    """What the folder takes unpacked: its files' sizes, links counted once, as links (as the packaging test)."""
    return sum(path.lstat().st_size for path in folder.rglob("*") if not path.is_dir())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("app_dir", type=Path, nargs="?", default=Path("dist") / "TwExport",
                        help="the PyInstaller folder (default: dist/TwExport)")
    args = parser.parse_args(argv)
    folder_before = folder_bytes(args.app_dir)
    try:
        result = trim_icu_data(args.app_dir)
    except TrimError as exc:
        print(exc, file=sys.stderr)
        return 1
    if result is None:
        print(f"{args.app_dir} bundles no libicudata: nothing to trim")
        return 0
    mb = 1_000_000
    print(f"{result.library.name}: {result.bytes_before / mb:.1f} MB -> {result.bytes_after / mb:.1f} MB "
          f"({result.items_before} -> {result.items_after} ICU data items)")
    print(f"{args.app_dir}: {folder_before / mb:.1f} MB -> {folder_bytes(args.app_dir) / mb:.1f} MB unpacked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
