"""Read what-if scenario files (YAML) into :class:`~simulation.config.ScenarioConfig`.

A scenario file is one YAML mapping in human units: times of day as
``"HH:MM"`` strings, durations in seconds (a number) or with a unit
(``"15 min"``, ``"90 s"``, ``"1.5 h"``), lengths in metres, speeds in metres
per second. The comment lines that open the file are the question the
scenario answers; they are required. A file may also define variants to
compare with it (``compare:``) or a parameter sweep (``sweep:``), which
:func:`load_experiment` turns into an :class:`Experiment`. The format is
documented in ``docs/scenarios.md``.

Every problem is reported as :class:`~optimizer.formats.errors.InputError`
naming the file and the dotted path of the field at fault, such as
``pickers.count`` or ``trucks[1].cutoff``.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from optimizer.formats.errors import InputError
from simulation.config import (
    BatchingConfig,
    DemandConfig,
    LayoutConfig,
    PackingConfig,
    PickerConfig,
    ScenarioConfig,
    Shift,
    StorageConfig,
    Truck,
)

__all__ = [
    "Experiment",
    "format_time",
    "load_experiment",
    "load_scenario",
    "parse_duration",
    "parse_time",
    "scenario_fields",
]

_MAX_EXTENDS = 8


@dataclass(frozen=True, slots=True)
class Experiment:
    """A baseline scenario and the variants compared with it.

    Parameters
    ----------
    baseline
        The scenario the file describes.
    variants
        ``(name, config)`` pairs, one per ``compare:`` entry or sweep point,
        in file order. Each config's ``name`` is the variant name.
    """

    baseline: ScenarioConfig
    variants: tuple[tuple[str, ScenarioConfig], ...] = ()

    def __post_init__(self) -> None:
        names = [self.baseline.name, *(name for name, _ in self.variants)]
        for name in names:
            if not name:
                raise ValueError("variants must have non-empty names")
        if len(set(names)) != len(names):
            raise ValueError("variant names must differ from each other and from the baseline")

    @property
    def names(self) -> tuple[str, ...]:
        """Names of the baseline and the variants, baseline first."""
        return (self.baseline.name, *(name for name, _ in self.variants))

    @property
    def configs(self) -> tuple[ScenarioConfig, ...]:
        """Configs of the baseline and the variants, baseline first."""
        return (self.baseline, *(config for _, config in self.variants))


# -- human units ---------------------------------------------------------------------------

_TIME = re.compile(r"^(\d{1,2}):([0-5]\d)(?::([0-5]\d))?$")
_DURATION = re.compile(r"^(\d+(?:\.\d*)?|\.\d+)\s*(s|sec|min|h)?$")
_DURATION_UNITS = {None: 1, "s": 1, "sec": 1, "min": 60, "h": 3600}


def parse_time(text: str) -> int:
    """Seconds after midnight of a time of day written ``"HH:MM"`` or ``"HH:MM:SS"``.

    Hours run to 47 so that a night shift can end at ``"30:00"`` (06:00 the
    next morning).

    Raises
    ------
    ValueError
        When ``text`` is not such a time.
    """
    match = _TIME.match(text.strip())
    if match is None or int(match[1]) > 47:
        raise ValueError(f'must be a time "HH:MM", got {text!r}')
    return int(match[1]) * 3600 + int(match[2]) * 60 + int(match[3] or 0)


def format_time(seconds: float) -> str:
    """``"HH:MM"`` of a time given in seconds after midnight (rounded down to the minute)."""
    minutes = int(seconds // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_duration(value: object) -> float:
    """Seconds of a duration: a number of seconds, or a string with unit ``s``, ``min`` or ``h``.

    Raises
    ------
    ValueError
        When ``value`` is neither, or is negative or not finite.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"must be a duration >= 0, got {value!r}")
        return float(value)
    if isinstance(value, str):
        match = _DURATION.match(value.strip())
        if match is not None:
            return float(match[1]) * _DURATION_UNITS[match[2]]
    raise ValueError(f'must be seconds or a duration such as "15 min", got {value!r}')


# -- YAML --------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps ``14:00`` a string, reads only true/false as booleans,
    and rejects duplicate keys."""


_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_INT, _FLOAT, _BOOL)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    _INT,
    re.compile(r"^(?:[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?0b[01_]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (list, dict)):
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain name", key_node.start_mark
            )
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def _read(path: Path) -> tuple[dict[str, Any], str]:
    """The top-level mapping of a scenario file and its opening comment."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(file, f"cannot read file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(file, "not a text file") from None
    if not text.strip():
        raise InputError(file, "file is empty")
    try:
        doc = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}" if mark is not None else None
        problem = exc.problem or exc.context or "syntax error"
        raise InputError(file, f"invalid YAML: {problem}", row=where) from None
    except yaml.YAMLError as exc:
        raise InputError(file, f"invalid YAML: {exc}") from None
    if doc is None:
        raise InputError(file, "file holds no settings, only comments")
    if not isinstance(doc, dict):
        raise InputError(file, f"must be a mapping of settings, got {_kind(doc)}")
    return doc, _opening_comment(text)


def _opening_comment(text: str) -> str:
    """The comment block opening a file, as one paragraph (blank lines before it allowed)."""
    lines: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            lines.append(stripped.lstrip("#").strip())
        elif stripped or lines:
            break
    return " ".join(part for part in lines if part)


# -- schema ------------------------------------------------------------------------------


class _FieldError(Exception):
    """A problem at a dotted field path; becomes an :class:`InputError`."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


_Convert = Callable[[Any, str], Any]


def _int(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _FieldError(path, f"must be a whole number, got {_kind(value)}")
    return value


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _FieldError(path, f"must be a number, got {_kind(value)}")
    return float(value)


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise _FieldError(path, f"must be a text, got {_kind(value)}")
    return value


def _time(value: Any, path: str) -> int:
    if not isinstance(value, str):
        raise _FieldError(path, f'must be a time "HH:MM" (quoted), got {_kind(value)}')
    try:
        return parse_time(value)
    except ValueError as exc:
        raise _FieldError(path, str(exc)) from None


def _duration(value: Any, path: str) -> float:
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise _FieldError(path, str(exc)) from None


def _whole_duration(value: Any, path: str) -> int:
    return round(_duration(value, path))


def _order_file(value: Any, path: str) -> str:
    """A planner's batch file, read once here so that its errors name it (not a worker)."""
    from optimizer.formats.batch import read_batch

    name = _text(value, path)
    if not Path(name).is_file():
        raise _FieldError(path, f"file not found: {name}")
    read_batch(name)
    return name


def _list_of(item: _Convert) -> _Convert:
    def convert(value: Any, path: str) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise _FieldError(path, f"must be a list, got {_kind(value)}")
        return tuple(item(v, f"{path}[{k}]") for k, v in enumerate(value))

    return convert


@dataclass(frozen=True)
class _Section:
    """How to read one mapping: its keys, which are required, and what it builds."""

    keys: Mapping[str, _Convert]
    build: Callable[..., Any]
    required: frozenset[str] = frozenset()
    alias: str | None = None  # prefix the built class uses in its own error messages

    def __call__(self, value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise _FieldError(path, f"must be a mapping, got {_kind(value)}")
        _check_keys(value, self.keys, path)
        kwargs = {}
        for key, convert in self.keys.items():
            if value.get(key) is not None:
                kwargs[key] = convert(value[key], _join(path, key))
            elif key in self.required:
                raise _FieldError(_join(path, key), "required field is missing")
        try:
            return self.build(**kwargs)
        except ValueError as exc:
            raise _config_error(exc, path, self.alias) from None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _check_keys(value: Mapping[Any, Any], allowed: Mapping[str, Any], path: str) -> None:
    for key in value:
        if key not in allowed:
            hint = difflib.get_close_matches(str(key), list(allowed), n=1)
            more = f"did you mean '{hint[0]}'?" if hint else f"expected one of {', '.join(allowed)}"
            raise _FieldError(_join(path, str(key)), f"unknown key; {more}")


_LEADING_FIELD = re.compile(
    r"^(?P<field>[a-z_]+(?:\[\d+\])*(?:\.[a-z_]+(?:\[\d+\])*)*)(?::\s*|\s+)(?P<rest>.+)$", re.S
)


def _config_error(exc: ValueError, path: str, alias: str | None) -> _FieldError:
    """Locate a config dataclass's ``ValueError`` ("pickers.count must be ...") by field path.

    ``alias`` is the prefix a nested class uses for itself (``shift`` for a
    :class:`Shift`, ``trucks`` for a :class:`Truck`); it is replaced by the
    real path (``pickers.shifts[0]``, ``trucks[2]``).
    """
    text = str(exc)
    if text.startswith("opening hours"):
        return _FieldError("closing", "must be after opening")
    if alias and text.startswith(alias) and text[len(alias) : len(alias) + 1] in (" ", ".", ":"):
        text = path + text[len(alias) :]
    match = _LEADING_FIELD.match(text)
    if match is None:
        return _FieldError(path or None, text)
    return _FieldError(match["field"], match["rest"])


def _interval(start: int, end: int) -> tuple[int, int]:
    return (start, end)


_BREAK = _Section({"start": _time, "end": _time}, _interval, frozenset({"start", "end"}))


_SHIFT = _Section(
    {"start": _time, "end": _time, "breaks": _list_of(_BREAK)},
    Shift,
    frozenset({"start", "end"}),
    alias="shift",
)
_TRUCK = _Section(
    {"carrier": _text, "cutoff": _time}, Truck, frozenset({"carrier", "cutoff"}), alias="trucks"
)

_LAYOUT = _Section(
    {
        "aisles": _int,
        "locations_per_aisle": _int,
        "location_length": _number,
        "aisle_spacing": _number,
        "front_gap": _number,
        "blocks": _int,
        "depot_aisle": _int,
    },
    LayoutConfig,
)
_STORAGE = _Section(
    {
        "skus": _int,
        "policy": _text,
        "abc_shares": _list_of(_number),
        "demand_skew": _number,
    },
    StorageConfig,
)
_DEMAND = _Section(
    {
        "hourly_rates": _list_of(_number),
        "start": _time,
        "lines_mean": _number,
        "order_file": _order_file,
    },
    DemandConfig,
)
_PICKERS = _Section(
    {
        "count": _int,
        "shifts": _list_of(_SHIFT),
        "walk_speed": _number,
        "time_per_pick": _duration,
        "time_per_stop": _duration,
        "setup_time": _duration,
    },
    PickerConfig,
    frozenset({"count"}),
)
_BATCHING = _Section(
    {
        "policy": _text,
        "cart_items": _int,
        "cart_totes": _int,
        "time_window": _whole_duration,
        "wave_times": _list_of(_time),
    },
    BatchingConfig,
)
_PACKING = _Section(
    {"stations": _int, "time_per_order": _duration, "time_per_item": _duration},
    PackingConfig,
)
_SCENARIO_KEYS: dict[str, _Convert] = {
    "name": _text,
    "opening": _time,
    "closing": _time,
    "layout": _LAYOUT,
    "storage": _STORAGE,
    "demand": _DEMAND,
    "pickers": _PICKERS,
    "batching": _BATCHING,
    "routing": _text,
    "packing": _PACKING,
    "trucks": _list_of(_TRUCK),
}
_SCENARIO_REQUIRED = ("name", "opening", "closing", "demand", "pickers")
_EXPERIMENT_KEYS = ("extends", "compare", "sweep")


def _scenario(raw: Mapping[str, Any], question: str) -> ScenarioConfig:
    """Build a :class:`ScenarioConfig` from a file's settings (without the experiment keys)."""
    _check_keys(raw, _SCENARIO_KEYS, "")
    for key in _SCENARIO_REQUIRED:
        if raw.get(key) is None:
            raise _FieldError(key, "required field is missing")
    demand = raw["demand"]
    if (
        isinstance(demand, dict)
        and demand.get("hourly_rates") is None
        and not demand.get("order_file")
    ):
        raise _FieldError("demand.hourly_rates", "required field is missing (or give order_file)")
    kwargs = {
        key: convert(raw[key], key)
        for key, convert in _SCENARIO_KEYS.items()
        if raw.get(key) is not None
    }
    if kwargs["closing"] <= kwargs["opening"]:
        raise _FieldError("closing", "must be after opening")
    try:
        return ScenarioConfig(question=question, **kwargs)
    except ValueError as exc:
        raise _config_error(exc, "", None) from None


# -- files, extends and variants ------------------------------------------------------------


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` laid over ``base``: mappings merge key by key, anything else replaces."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _nest(overrides: Mapping[Any, Any], path: str) -> dict[str, Any]:
    """Expand dotted keys (``layout.blocks: 2``) into nested mappings."""
    nested: dict[str, Any] = {}
    for key, value in overrides.items():
        if not isinstance(key, str):
            raise _FieldError(_join(path, str(key)), "unknown key; keys are field names")
        parts = key.split(".")
        node = {parts[-1]: value}
        for part in reversed(parts[:-1]):
            node = {part: node}
        nested = _merge(nested, node)
    return nested


def _resolve_order_file(raw: Mapping[str, Any], folder: Path) -> dict[str, Any]:
    """``demand.order_file`` made relative to the folder of the file that names it."""
    demand = raw.get("demand")
    if isinstance(demand, dict) and isinstance(demand.get("order_file"), str):
        return {**raw, "demand": {**demand, "order_file": str(folder / demand["order_file"])}}
    return dict(raw)


def _settings(path: Path, depth: int = 0) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """A file's scenario settings with ``extends`` applied, its question and its experiment keys."""
    raw, question = _read(path)
    file = str(path)
    try:
        _check_keys(raw, {**_SCENARIO_KEYS, **dict.fromkeys(_EXPERIMENT_KEYS)}, "")
    except _FieldError as exc:
        raise InputError(file, exc.message, field=exc.field) from None
    extra = {key: raw.pop(key) for key in _EXPERIMENT_KEYS if key in raw}
    raw = _resolve_order_file(raw, path.parent)
    parent_name = extra.pop("extends", None)
    if parent_name is not None:
        if not isinstance(parent_name, str):
            raise InputError(
                file, f"must be a file name, got {_kind(parent_name)}", field="extends"
            )
        if depth >= _MAX_EXTENDS:
            raise InputError(file, "too many nested extends (a cycle?)", field="extends")
        parent_path = path.parent / parent_name
        if not parent_path.is_file():
            raise InputError(file, f"file not found: {parent_name}", field="extends")
        _load(parent_path, depth + 1)  # report the parent's own errors there
        parent, _, _ = _settings(parent_path, depth + 1)
        raw = _merge(parent, raw)
    return raw, question, extra


def _compare_variants(
    raw: Mapping[str, Any], compare: Any, question: str, folder: Path
) -> list[tuple[str, ScenarioConfig, str]]:
    if not isinstance(compare, list) or not compare:
        raise _FieldError("compare", f"must be a non-empty list of variants, got {_kind(compare)}")
    variants = []
    for k, entry in enumerate(compare):
        path = f"compare[{k}]"
        if not isinstance(entry, dict):
            raise _FieldError(path, f"must be a mapping with a name, got {_kind(entry)}")
        entry = dict(entry)
        name = entry.pop("name", None)
        if not isinstance(name, str) or not name:
            raise _FieldError(f"{path}.name", "required field is missing")
        overrides = _resolve_order_file(_nest(entry, path), folder)
        try:
            config = _scenario(_merge(raw, overrides), question)
        except _FieldError as exc:
            raise _FieldError(f"{path}.{exc.field}", exc.message) from None
        variants.append((name, config, f"{path}.name"))
    return variants


def _sweep_variants(
    raw: Mapping[str, Any], sweep: Any, question: str, folder: Path
) -> list[tuple[str, ScenarioConfig, str]]:
    single = isinstance(sweep, dict)
    axes = [sweep] if single else sweep
    if not isinstance(axes, list) or not axes:
        raise _FieldError("sweep", f"must be a mapping with field and values, got {_kind(sweep)}")
    fields: list[str] = []
    values: list[list[Any]] = []
    for j, axis in enumerate(axes):
        path = "sweep" if single else f"sweep[{j}]"
        if not isinstance(axis, dict):
            raise _FieldError(path, f"must be a mapping with field and values, got {_kind(axis)}")
        _check_keys(axis, {"field": None, "values": None}, path)
        field = axis.get("field")
        if not isinstance(field, str) or not _known_field(field):
            raise _FieldError(
                f"{path}.field", f"must name a setting such as pickers.count, got {_kind(field)}"
            )
        axis_values = axis.get("values")
        if not isinstance(axis_values, list) or not axis_values:
            raise _FieldError(
                f"{path}.values", f"must be a non-empty list, got {_kind(axis_values)}"
            )
        fields.append(field)
        values.append(axis_values)
    baseline_settings = _scenario(raw, question)
    variants = []
    for point in itertools.product(*(range(len(v)) for v in values)):
        name = ",".join(f"{f}={_show(values[j][i])}" for j, (f, i) in enumerate(zip(fields, point)))
        point_values = {f: values[j][i] for j, (f, i) in enumerate(zip(fields, point))}
        overrides = _resolve_order_file(_nest(point_values, "sweep"), folder)
        try:
            config = _scenario(_merge(raw, overrides), question)
        except _FieldError as exc:
            for j, (f, i) in enumerate(zip(fields, point)):
                if exc.field == f or (exc.field or "").startswith((f + ".", f + "[")):
                    axis_path = "sweep" if single else f"sweep[{j}]"
                    raise _FieldError(f"{axis_path}.values[{i}]", exc.message) from None
            raise _FieldError(exc.field, f"{exc.message} (in sweep variant {name})") from None
        if dataclasses.replace(config, name=baseline_settings.name) != baseline_settings:
            variants.append((name, config, "sweep"))
    return variants


def _known_field(dotted: str) -> bool:
    """Whether ``dotted`` names a scenario setting (``pickers.count``, ``routing``)."""
    keys: Mapping[str, Any] = _SCENARIO_KEYS
    parts = dotted.split(".")
    for part in parts[:-1]:
        section = keys.get(part)
        if not isinstance(section, _Section):
            return False
        keys = section.keys
    return parts[-1] in keys and parts[-1] != "name"


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def load_experiment(path: str | Path) -> Experiment:
    """Read a scenario file with its ``compare:`` variants and ``sweep:`` points.

    Parameters
    ----------
    path
        The YAML scenario file.

    Returns
    -------
    Experiment
        The file's scenario as baseline and one variant per ``compare:``
        entry and per sweep point (sweep points equal to the baseline are
        left out: the baseline already covers them).

    Raises
    ------
    InputError
        When the file cannot be read, is not YAML, does not open with a
        comment saying its question, or holds an unknown key, a value of the
        wrong type or out of range, or misses a required field; the error
        names the file and the dotted field path.
    """
    return _load(Path(path), 0)


def _load(path: Path, depth: int) -> Experiment:
    file = str(path)
    raw, question, extra = _settings(path, depth)
    if not question:
        raise InputError(
            file, "must open with a comment saying the question it answers", row="line 1"
        )
    try:
        baseline = _scenario(raw, question)
        variants: list[tuple[str, ScenarioConfig, str]] = []
        if "compare" in extra:
            variants += _compare_variants(raw, extra["compare"], question, path.parent)
        if "sweep" in extra:
            variants += _sweep_variants(raw, extra["sweep"], question, path.parent)
        seen = {baseline.name}
        for name, _, where in variants:
            if name in seen:
                raise _FieldError(where, f"variant name '{name}' is used twice")
            seen.add(name)
    except _FieldError as exc:
        raise InputError(file, exc.message, field=exc.field) from None
    return Experiment(
        baseline,
        tuple((name, dataclasses.replace(config, name=name)) for name, config, _ in variants),
    )


def load_scenario(path: str | Path) -> ScenarioConfig:
    """Read a scenario file into a :class:`ScenarioConfig`.

    Parameters
    ----------
    path
        The YAML scenario file; its ``compare:`` and ``sweep:`` sections,
        if any, are checked but not returned (see :func:`load_experiment`).

    Returns
    -------
    ScenarioConfig
        The scenario, with ``question`` set from the file's opening comment.

    Raises
    ------
    InputError
        As :func:`load_experiment`.
    """
    return load_experiment(path).baseline


def scenario_fields() -> Sequence[str]:
    """Dotted names of the settings a scenario file can set, one level deep.

    Returns
    -------
    sequence of str
        ``name``, ``opening``, ..., ``layout.aisles``, ``pickers.count``, ...
        (the keys of shifts, breaks and trucks are not listed).
    """
    names: list[str] = []
    for key, convert in _SCENARIO_KEYS.items():
        if isinstance(convert, _Section):
            names += [f"{key}.{sub}" for sub in convert.keys]
        else:
            names.append(key)
    return names
