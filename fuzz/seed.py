"""Writes the fuzz targets' seed corpora (fuzz/corpus/<target>/) from the
files in tests/fixtures, and from ../shared/calamine-tests when it is there:
raw files for the byte targets, the unpacked parts of each workbook for the
structured ones (joined as kpilot_fuzz::parts splits them), and every cell
of the text fixtures for the parser targets.

A script, not a bin of the fuzz crate: cargo fuzz builds every bin with
coverage instrumentation, which only links into a fuzz target.

    python3 fuzz/seed.py
"""

import io
import zipfile
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
CORPUS = FUZZ / "corpus"
SOURCES = [FUZZ.parent / "tests" / "fixtures", FUZZ.parent.parent / "shared" / "calamine-tests"]
# As in fuzz/src/lib.rs.
PART_SEPARATOR = b"--kpilot-part--"
EXTENSIONS = ["csv", "tsv", "txt", "xlsx", "xlsm", "xlsb", "xls", "ods"]
XLSX_PARTS = ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml"]
XLSB_PARTS = ["xl/workbook.bin", "xl/worksheets/sheet1.bin", "xl/sharedStrings.bin", "xl/styles.bin"]


def write(target: str, name: str, data: bytes) -> None:
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def entry(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        return archive.read(name)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return b""


def workbook_parts(extension: str, archive: zipfile.ZipFile) -> list:
    """One input per worksheet, in the order the structured target reads."""
    suffix = ".bin" if extension == "xlsb" else ".xml"
    sheets = sorted(
        name for name in archive.namelist() if name.startswith("xl/worksheets/") and name.endswith(suffix)
    )
    inputs = []
    for sheet in sheets:
        content = entry(archive, sheet)
        if extension == "xlsb":
            parts = [entry(archive, XLSB_PARTS[0]), content, entry(archive, XLSB_PARTS[2]), entry(archive, XLSB_PARTS[3])]
        else:
            # The target's workbook part names one sheet: keep the file's own
            # only when it has one.
            workbook = entry(archive, XLSX_PARTS[3]) if len(sheets) == 1 else b""
            parts = [content, entry(archive, XLSX_PARTS[1]), entry(archive, XLSX_PARTS[2]), workbook]
        inputs.append(PART_SEPARATOR.join(parts))
    return inputs


def main() -> None:
    cells = set()
    written = 0
    for source in SOURCES:
        if not source.is_dir():
            continue
        for path in sorted(source.iterdir()):
            extension = path.suffix.lower().lstrip(".")
            if not path.is_file() or extension in ("md", "py", "json"):
                continue
            data = path.read_bytes()
            pick = EXTENSIONS.index(extension) if extension in EXTENSIONS else 0
            write("read_table_bytes", path.name, bytes([pick]) + data)
            written += 1
            if extension in ("csv", "tsv", "txt"):
                write("read_table_text", path.name, data)
                for line in data.decode("utf-8", "replace").splitlines():
                    for separator in ";\t|":
                        line = line.replace(separator, ",")
                    cells.update(cell.strip().strip('"') for cell in line.split(","))
            elif extension == "xls":
                write("read_table_xls", path.name, data)
            elif extension in ("xlsx", "xlsm", "xlsb", "ods"):
                try:
                    archive = zipfile.ZipFile(io.BytesIO(data))
                except (zipfile.BadZipFile, OSError, ValueError):
                    continue
                if extension == "ods":
                    content = entry(archive, "content.xml")
                    if content:
                        write("read_table_ods", path.name, content)
                    continue
                target = "read_table_xlsb" if extension == "xlsb" else "read_table_xlsx"
                for index, parts in enumerate(workbook_parts(extension, archive)):
                    write(target, f"{path.name}-{index}", parts)
    for index, cell in enumerate(sorted(cell for cell in cells if cell)):
        for target in ("parse_period", "parse_value", "parse_target"):
            write(target, f"cell-{index}", cell.encode())
    print(f"wrote seeds for {written} files and {len(cells)} cells under {CORPUS}")


if __name__ == "__main__":
    main()
