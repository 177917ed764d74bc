"""The one error type for bad input files."""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """Bad input, located by file, row and field.

    Parameters
    ----------
    file
        Path of the file, as the user gave it.
    message
        What is wrong, in a short sentence.
    row
        1-based row (CSV data row, counting the header as row 1) or a JSON
        path such as ``orders[3]``; ``None`` when the whole file is at fault.
    field
        Column or key name, or ``None``.
    """

    def __init__(
        self, file: str, message: str, row: int | str | None = None, field: str | None = None
    ) -> None:
        self.file = str(file)
        self.row = row
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str, int | str | None, str | None]]:
        # Rebuild from the four fields, so the error crosses process boundaries.
        return (InputError, (self.file, self.message, self.row, self.field))

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}" if isinstance(self.row, int) else str(self.row))
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}"


def read_lines(path: Path) -> list[str]:
    """The lines of a text file that must not be empty.

    Raises
    ------
    InputError
        When the file cannot be read or holds only blank lines.
    """
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise InputError(str(path), f"cannot read file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(str(path), "not a text file") from None
    if not any(line.strip() for line in lines):
        raise InputError(str(path), "file is empty")
    return lines
