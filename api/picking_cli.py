"""``tournee pick-route``: route one SPRP instance with a picker routing policy.

Register with ``app.command("pick-route")(pick_route)``. The last line of output is
the tour length alone, so scripts can read it with ``tail -n 1``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from optimizer.formats.errors import InputError
from simulation.picking import POLICIES, route
from simulation.sprp import read_sprp

EXIT_INPUT = 2


def format_length(length: float) -> str:
    """A length without a trailing ``.0`` when integral (``1234``, ``1234.5``)."""
    rounded = round(length, 6)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.6f}".rstrip("0").rstrip(".")


def _fail(file: Path, message: str) -> typer.Exit:
    typer.echo(f"error: {file}: {message}", err=True)
    return typer.Exit(EXIT_INPUT)


def pick_route(
    file: Annotated[Path, typer.Argument(help="SPRP instance file (Heßler & Irnich format).")],
    policy: Annotated[
        str, typer.Option(help=f"Routing policy: {', '.join(POLICIES)}.")
    ] = "optimal",
    blocks: Annotated[
        int, typer.Option(help="1 = single block, 2 = with a middle cross aisle.")
    ] = 1,
) -> None:
    """Route one picking tour through an SPRP instance and print its length."""
    if policy not in POLICIES:
        raise _fail(file, f"unknown policy {policy!r}; valid: {', '.join(POLICIES)}")
    if blocks not in (1, 2):
        raise _fail(file, f"blocks must be 1 or 2, got {blocks}")
    try:
        layout, picks = read_sprp(file, blocks)
    except InputError as exc:
        where = [f"line {exc.row}"] if exc.row is not None else []
        if exc.field is not None:
            where.append(exc.field)
        raise _fail(file, ": ".join([*where, exc.message])) from None
    except ValueError as exc:
        raise _fail(file, str(exc)) from None
    tour = route(layout, picks, policy)
    typer.echo(f"policy: {policy}")
    typer.echo(f"blocks: {blocks}")
    typer.echo(f"picks: {len(picks)}")
    typer.echo(format_length(tour.length))
