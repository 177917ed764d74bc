"""The one error type for bad input files."""

from __future__ import annotations


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

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}" if isinstance(self.row, int) else str(self.row))
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}"
