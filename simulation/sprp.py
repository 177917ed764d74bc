"""Reader for the Heßler & Irnich single-picker routing (SPRP) benchmark.

Instance files (``unit_F1_m{A}_C{C}_a{N}_{seed}.txt``, Latin-1 text) and
``optima.csv`` are described in ``shared/benchmarks/picker_routing/README.md``. The
conventions reproduced here, in the file's units (cell-to-cell 1, aisle-to-aisle 3):

* Cells are numbered from the top (back) cross aisle down: cell ``c`` of ``C`` is
  ``DISTANCE_BOTTOM_TO_CELL + (C - 1 - c) * DISTANCE_CELL_TO_CELL`` above the bottom
  (front) cross aisle, i.e. ``y = C - c``; the top cross aisle is
  ``DISTANCE_TOP_TO_CELL`` beyond cell 0, at ``C + 1``.
* Two blocks (same files): a middle cross aisle between cells ``C/2 - 1`` and
  ``C/2``, one cell-to-cell distance from each, so the upper cells move up by one:
  ``y = C - c`` for ``c >= C/2``, ``y = C - c + 1`` for ``c < C/2``, middle cross aisle
  at ``C/2 + 1``, top at ``C + 2``.
* The depot is where aisle ``DEPOT_AISLE`` meets the bottom or the top cross aisle.
* The side of the aisle does not matter.

The layout's ``slots`` are the cells' heights, ascending (slot ``k`` is cell
``C - 1 - k``), so it equals :meth:`Layout.rectangular` with ``location_length = 1``
and ``front_gap = 0.5``.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from optimizer.formats.errors import InputError
from simulation.layout import Layout, PickLocation

LAYOUTS = {1: "single-block", 2: "two-block"}
"""``optima.csv`` layout names by number of blocks."""

_INT_KEYS = ("NUM_AISLES", "NUM_CELLS", "DEPOT_AISLE")
_LENGTH_KEYS = (
    "DISTANCE_AISLE_TO_AISLE",
    "DISTANCE_CELL_TO_CELL",
    "DISTANCE_TOP_TO_CELL",
    "DISTANCE_BOTTOM_TO_CELL",
    "DISTANCE_TOP_OR_BOTTOM_TO_DEPOT",
)


def _read_text(path: Path) -> list[str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read file: {exc.strerror or exc}") from None
    lines = data.decode("latin-1").splitlines()
    if not any(line.strip() for line in lines):
        raise InputError(str(path), "file is empty")
    return lines


def _number(path: Path, line_no: int, key: str, text: str, integer: bool) -> float:
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        kind = "an integer" if integer else "a number"
        raise InputError(str(path), f"not {kind}: {text!r}", line_no, key) from None
    if not math.isfinite(value) or value < 0:
        raise InputError(str(path), f"must be a finite number >= 0: {text!r}", line_no, key)
    return value


def read_sprp(path: str | Path, blocks: int = 1) -> tuple[Layout, tuple[PickLocation, ...]]:
    """Read an SPRP instance as a layout and its pick list.

    Parameters
    ----------
    path
        The instance file.
    blocks
        1 for the single-block layout, 2 for the two-block one (middle cross aisle).

    Returns
    -------
    tuple of (Layout, tuple of PickLocation)
        The layout (with the depot) and the pick positions in the order of the
        file's ``ORDER_SECTION``.

    Raises
    ------
    ValueError
        When ``blocks`` is not 1 or 2.
    InputError
        When the file cannot be read or is malformed, naming the line and key.
    """
    if blocks not in LAYOUTS:
        raise ValueError(f"blocks must be 1 or 2, got {blocks!r}")
    path = Path(path)
    lines = _read_text(path)
    header: dict[str, float] = {}
    depot_location = ""
    skus: dict[int, tuple[int, int]] = {}
    order: list[tuple[int, int]] = []
    section = ""
    for line_no, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line == "EOF":
            continue
        if line in ("ARTICLE_SECTION", "SKU_SECTION", "ORDER_SECTION"):
            section = line
            continue
        if ":" in line:
            key, _, value = (part.strip() for part in line.partition(":"))
            if key in _INT_KEYS:
                header[key] = _number(path, line_no, key, value, integer=True)
            elif key in _LENGTH_KEYS:
                header[key] = _number(path, line_no, key, value, integer=False)
            elif key == "DEPOT_LOCATION":
                depot_location = value
            continue
        words = line.split()
        fields = dict(zip(words[0::2], words[1::2]))
        if "ID" not in fields:
            raise InputError(str(path), f"unexpected line: {line!r}", line_no)
        article = int(_number(path, line_no, "ID", fields["ID"], integer=True))
        if section == "SKU_SECTION":
            for key in ("AISLE", "CELL"):
                if key not in fields:
                    raise InputError(str(path), "missing", line_no, key)
            aisle = int(_number(path, line_no, "AISLE", fields["AISLE"], integer=True))
            cell = int(_number(path, line_no, "CELL", fields["CELL"], integer=True))
            if article in skus:
                raise InputError(str(path), f"article {article} stored twice", line_no, "ID")
            skus[article] = (aisle, cell)
        elif section == "ORDER_SECTION":
            order.append((article, line_no))
    for key in (*_INT_KEYS, *_LENGTH_KEYS):
        if key not in header:
            raise InputError(str(path), "missing header line", field=key)
    if depot_location not in ("bottom", "top"):
        raise InputError(
            str(path), f"must be 'bottom' or 'top', got {depot_location!r}", field="DEPOT_LOCATION"
        )
    if header["DISTANCE_TOP_OR_BOTTOM_TO_DEPOT"] != 0:
        raise InputError(str(path), "only 0 is supported", field="DISTANCE_TOP_OR_BOTTOM_TO_DEPOT")
    aisles, cells = int(header["NUM_AISLES"]), int(header["NUM_CELLS"])
    if aisles < 1 or cells < 1:
        raise InputError(str(path), "NUM_AISLES and NUM_CELLS must be >= 1")
    if blocks == 2 and cells % 2:
        raise InputError(str(path), "must be even for two blocks", field="NUM_CELLS")
    step = header["DISTANCE_CELL_TO_CELL"]
    bottom = header["DISTANCE_BOTTOM_TO_CELL"]
    if step <= 0 or bottom <= 0 or header["DISTANCE_TOP_TO_CELL"] <= 0:
        raise InputError(str(path), "cell distances must be > 0")

    def height(cell: int) -> float:
        y = bottom + (cells - 1 - cell) * step
        return y + step if blocks == 2 and cell < cells // 2 else y

    top = height(0) + header["DISTANCE_TOP_TO_CELL"]
    cross = (0.0, top) if blocks == 1 else (0.0, height(cells // 2) + step, top)
    try:
        layout = Layout(
            aisles=aisles,
            aisle_spacing=header["DISTANCE_AISLE_TO_AISLE"],
            cross_aisles=cross,
            depot_aisle=int(header["DEPOT_AISLE"]),
            depot_cross_aisle=0 if depot_location == "bottom" else len(cross) - 1,
            slots=tuple(height(c) for c in range(cells - 1, -1, -1)),
        )
    except ValueError as exc:
        raise InputError(str(path), str(exc)) from None
    picks = []
    for article, line_no in order:
        if article not in skus:
            raise InputError(str(path), f"article {article} has no storage position", line_no)
        aisle, cell = skus[article]
        if aisle >= aisles or cell >= cells:
            raise InputError(str(path), f"article {article} is stored outside the warehouse")
        picks.append(PickLocation(aisle, height(cell)))
    return layout, tuple(picks)


def read_optima(path: str | Path) -> dict[tuple[str, int], float]:
    """Read ``optima.csv``: optimal tour length by (instance file name, blocks).

    Raises
    ------
    InputError
        When the file cannot be read or a row is malformed.
    """
    path = Path(path)
    lines = _read_text(path)
    names = {name: blocks for blocks, name in LAYOUTS.items()}
    optima: dict[tuple[str, int], float] = {}
    for row_no, row in enumerate(csv.DictReader(lines), start=2):
        try:
            key = (row["instance"], names[row["layout"]])
            optima[key] = float(row["optimal_length"])
        except (KeyError, TypeError, ValueError):
            raise InputError(str(path), "bad row", row_no) from None
    return optima
