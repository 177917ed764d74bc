"""Scenario files: human units in, validated ScenarioConfig out, bad files located by field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from optimizer.formats.errors import InputError
from simulation.scenario import (
    format_time,
    load_experiment,
    load_scenario,
    parse_duration,
    parse_time,
    scenario_fields,
)

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"

# The smallest valid file; each bad case below changes one thing.
GOOD = """\
# How late is the 14:00 truck with three pickers?
name: tiny
opening: "06:00"
closing: "14:00"
demand:
  hourly_rates: [20, 30]
pickers:
  count: 3
trucks:
  - {carrier: dpd, cutoff: "12:00"}
  - {carrier: ups, cutoff: "14:00"}
"""


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def bad(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# (id, file text, field named by the error or None, words the message must hold)
BAD_CASES = [
    ("unknown top key", GOOD + "colour: red\n", "colour", "unknown key"),
    (
        "unknown nested key",
        bad(GOOD, "count: 3", "count: 3\n  walking_speed: 1.2"),
        "pickers.walking_speed",
        "did you mean 'walk_speed'",
    ),
    ("unknown routing", GOOD + "routing: zigzag\n", "routing", "must be one of s_shape"),
    (
        "unknown batching",
        GOOD + "batching: {policy: greedy}\n",
        "batching.policy",
        "must be one of single",
    ),
    (
        "unknown storage",
        GOOD + "storage: {policy: abcd}\n",
        "storage.policy",
        "must be one of random, abc",
    ),
    ("zero pickers", bad(GOOD, "count: 3", "count: 0"), "pickers.count", "integer >= 1"),
    ("negative pickers", bad(GOOD, "count: 3", "count: -4"), "pickers.count", "got -4"),
    ("missing count", bad(GOOD, "count: 3", "walk_speed: 1.0"), "pickers.count", "missing"),
    ("missing name", bad(GOOD, "name: tiny\n", ""), "name", "missing"),
    ("missing closing", bad(GOOD, 'closing: "14:00"\n', ""), "closing", "missing"),
    ("missing demand", bad(GOOD, "demand:\n  hourly_rates: [20, 30]\n", ""), "demand", "missing"),
    (
        "missing break end",
        bad(
            GOOD,
            "count: 3",
            'count: 3\n  shifts: [{start: "06:00", end: "14:00", breaks: [{start: "10:00"}]}]',
        ),
        "pickers.shifts[0].breaks[0].end",
        "missing",
    ),
    ("text for a count", bad(GOOD, "count: 3", "count: three"), "pickers.count", "whole number"),
    (
        "fraction for a count",
        GOOD + "layout: {aisles: 2.5}\n",
        "layout.aisles",
        "whole number, got 2.5",
    ),
    ("number for a time", bad(GOOD, 'opening: "06:00"', "opening: 6"), "opening", "HH:MM"),
    ("bad time", bad(GOOD, 'opening: "06:00"', 'opening: "6h"'), "opening", "HH:MM"),
    (
        "boolean for a number",
        GOOD + "layout: {location_length: true}\n",
        "layout.location_length",
        "number",
    ),
    (
        "text in a list",
        bad(GOOD, "[20, 30]", "[20, lots]"),
        "demand.hourly_rates[1]",
        "must be a number",
    ),
    ("scalar for a list", bad(GOOD, "[20, 30]", "20"), "demand.hourly_rates", "must be a list"),
    ("list for a section", GOOD + "layout: [10, 30]\n", "layout", "must be a mapping"),
    ("bad duration", GOOD + "batching: {time_window: soon}\n", "batching.time_window", "15 min"),
    (
        "cut-off before opening",
        bad(GOOD, 'cutoff: "12:00"', 'cutoff: "05:30"'),
        "trucks[0].cutoff",
        "before the warehouse opens",
    ),
    (
        "cut-offs out of order",
        bad(GOOD, 'cutoff: "12:00"', 'cutoff: "15:00"'),
        "trucks",
        "cut-off order",
    ),
    ("truck without carrier", bad(GOOD, "carrier: dpd, ", ""), "trucks[0].carrier", "missing"),
    (
        "closing before opening",
        bad(GOOD, 'closing: "14:00"', 'closing: "05:00"'),
        "closing",
        "after opening",
    ),
    ("three blocks", GOOD + "layout: {blocks: 3}\n", "layout.blocks", "1 or 2"),
    (
        "break outside shift",
        bad(
            GOOD,
            "count: 3",
            'count: 3\n  shifts: [{start: "06:00", end: "14:00",'
            ' breaks: [{start: "13:50", end: "14:10"}]}]',
        ),
        "pickers.shifts[0].breaks[0]",
        "inside the shift",
    ),
    (
        "shift ending before it starts",
        bad(GOOD, "count: 3", 'count: 3\n  shifts: [{start: "14:00", end: "06:00"}]'),
        "pickers.shifts[0]",
        "end must be after start",
    ),
    ("too many skus", GOOD + "storage: {skus: 100000}\n", "storage.skus", "exceeds"),
    (
        "missing order file",
        bad(GOOD, "hourly_rates: [20, 30]", "order_file: nowhere.json"),
        "demand.order_file",
        "not found",
    ),
    (
        "bad variant",
        GOOD + "compare:\n  - {name: fewer, pickers.count: 0}\n",
        "compare[0].pickers.count",
        "integer >= 1",
    ),
    (
        "variant without name",
        GOOD + "compare:\n  - {routing: return}\n",
        "compare[0].name",
        "missing",
    ),
    (
        "variant named twice",
        GOOD + "compare:\n  - {name: a, routing: return}\n  - {name: a, routing: midpoint}\n",
        "compare[1].name",
        "used twice",
    ),
    (
        "bad sweep value",
        GOOD + "sweep: {field: pickers.count, values: [4, -1]}\n",
        "sweep.values[1]",
        "integer >= 1",
    ),
    (
        "unknown sweep field",
        GOOD + "sweep: {field: pickers.speed, values: [1]}\n",
        "sweep.field",
        "must name a setting",
    ),
    (
        "experiment key in a variant",
        GOOD + "compare:\n  - {name: a, extends: other.yaml}\n",
        "compare[0].extends",
        "unknown key",
    ),
    ("missing parent", "# Q?\nextends: nowhere.yaml\n", "extends", "file not found"),
]

# (id, file text, row named by the error, words the message must hold): no field to name
BAD_FILES = [
    ("empty file", "", None, "file is empty"),
    ("only comments", "# What if?\n\n", None, "no settings"),
    ("not a mapping", "# What if?\n- 1\n- 2\n", None, "must be a mapping of settings, got a list"),
    ("scalar document", "# What if?\njust words\n", None, "must be a mapping of settings"),
    ("syntax error", bad(GOOD, "count: 3", "count: 3: 4"), "line 8", "mapping values are not"),
    ("unclosed list", bad(GOOD, "count: 3", "count: [3"), "line 9", "expected ',' or ']'"),
    ("tab indent", bad(GOOD, "  count: 3", "\tcount: 3"), "line 8", "'\\t' that cannot start"),
    ("bad indentation", bad(GOOD, "  count: 3", "  count: 3\n bad: 1"), "line 9", "invalid YAML"),
    ("duplicate key", GOOD + "name: again\n", "line 12", "duplicate key 'name'"),
    ("no question", GOOD.split("\n", 1)[1], "line 1", "question"),
]


@pytest.mark.parametrize(
    ("text", "field", "words"), [c[1:] for c in BAD_CASES], ids=[c[0] for c in BAD_CASES]
)
def test_bad_field_is_named(tmp_path: Path, text: str, field: str, words: str):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_experiment(path)
    assert caught.value.file == str(path)
    assert caught.value.field == field
    assert words in caught.value.message
    assert f"field '{field}'" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "row", "words"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_bad_file_is_named(tmp_path: Path, text: str, row: str | None, words: str):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert caught.value.file == str(path)
    assert caught.value.row == row
    assert words in caught.value.message


def test_missing_file_is_an_input_error(tmp_path: Path):
    with pytest.raises(InputError, match="cannot read file"):
        load_scenario(tmp_path / "absent.yaml")


def test_good_file_in_human_units(tmp_path: Path):
    text = GOOD + (
        "batching: {policy: time_window, time_window: 15 min}\n"
        "packing: {time_per_order: 1.5 min, time_per_item: 10}\n"
        "layout: {aisles: 12, location_length: 1.2, blocks: 2}\n"
    )
    config = load_scenario(write(tmp_path, text))
    assert config.name == "tiny"
    assert config.question == "How late is the 14:00 truck with three pickers?"
    assert (config.opening, config.closing) == (6 * 3600, 14 * 3600)
    assert config.demand.hourly_rates == (20.0, 30.0)
    assert config.pickers.count == 3
    assert [(t.carrier, t.cutoff) for t in config.trucks] == [("dpd", 43200), ("ups", 50400)]
    assert config.batching.time_window == 900
    assert config.packing.time_per_order == 90.0
    assert config.layout.aisles == 12 and config.layout.blocks == 2
    assert config.routing == "s_shape"  # the config's default


def test_unquoted_times_stay_times(tmp_path: Path):
    # YAML 1.1 reads 14:00 as the base-60 integer 840; the loader keeps it a time.
    text = GOOD.replace('"', "") + "batching: {policy: waves, wave_times: [07:00, 09:30]}\n"
    config = load_scenario(write(tmp_path, text))
    assert config.closing == 14 * 3600
    assert config.batching.wave_times == (7 * 3600, 9 * 3600 + 1800)


def test_no_and_on_are_words_not_booleans(tmp_path: Path):
    config = load_scenario(write(tmp_path, bad(GOOD, "carrier: dpd", "carrier: no")))
    assert config.trucks[0].carrier == "no"


def test_question_may_span_lines(tmp_path: Path):
    text = (
        "\n# With four more pickers,\n#   how many orders make the 14:00 truck?\n\n# (not this)\n"
        + GOOD.split("\n", 1)[1]
    )
    config = load_scenario(write(tmp_path, text))
    assert config.question == "With four more pickers, how many orders make the 14:00 truck?"


def test_compare_variants_override_fields(tmp_path: Path):
    text = GOOD + (
        "compare:\n"
        "  - name: cross_aisle\n"
        "    layout.blocks: 2\n"
        "  - name: busy\n"
        "    pickers: {count: 5}\n"
        "    demand.hourly_rates: [40, 60]\n"
    )
    experiment = load_experiment(write(tmp_path, text))
    assert experiment.names == ("tiny", "cross_aisle", "busy")
    cross, busy = (config for _, config in experiment.variants)
    assert cross.name == "cross_aisle" and cross.layout.blocks == 2 and cross.pickers.count == 3
    assert busy.pickers.count == 5 and busy.demand.hourly_rates == (40.0, 60.0)
    assert busy.question == experiment.baseline.question
    # load_scenario gives the baseline alone
    assert load_scenario(tmp_path / "scenario.yaml") == experiment.baseline


def test_sweep_leaves_out_the_baseline_value(tmp_path: Path):
    text = GOOD + "sweep: {field: pickers.count, values: [3, 5, 7]}\n"
    experiment = load_experiment(write(tmp_path, text))
    assert experiment.names == ("tiny", "pickers.count=5", "pickers.count=7")


def test_two_sweeps_make_a_grid(tmp_path: Path):
    text = GOOD + (
        "sweep:\n"
        "  - {field: pickers.count, values: [4, 5]}\n"
        "  - {field: routing, values: [return, largest_gap]}\n"
    )
    experiment = load_experiment(write(tmp_path, text))
    assert experiment.names[1:] == (
        "pickers.count=4,routing=return",
        "pickers.count=4,routing=largest_gap",
        "pickers.count=5,routing=return",
        "pickers.count=5,routing=largest_gap",
    )
    bad_text = (
        GOOD
        + "sweep:\n  - {field: pickers.count, values: [4]}\n  - {field: routing, values: [fly]}\n"
    )
    with pytest.raises(InputError) as caught:
        load_experiment(write(tmp_path, bad_text, "bad.yaml"))
    assert caught.value.field == "sweep[1].values[0]"


def test_extends_lays_a_file_over_its_parent(tmp_path: Path):
    write(tmp_path, GOOD, "base.yaml")
    child = write(
        tmp_path,
        "# And with five pickers?\nextends: base.yaml\nname: five\npickers: {count: 5}\n",
        "child.yaml",
    )
    config = load_scenario(child)
    assert (config.name, config.pickers.count, config.question) == (
        "five",
        5,
        "And with five pickers?",
    )
    assert config.trucks == load_scenario(tmp_path / "base.yaml").trucks


def test_errors_in_a_parent_name_the_parent(tmp_path: Path):
    parent = write(tmp_path, bad(GOOD, "count: 3", "count: 0"), "base.yaml")
    child = write(tmp_path, "# Q?\nextends: base.yaml\nname: child\n", "child.yaml")
    with pytest.raises(InputError) as caught:
        load_scenario(child)
    assert caught.value.file == str(parent) and caught.value.field == "pickers.count"


def test_extends_cycle_is_refused(tmp_path: Path):
    write(tmp_path, "# A?\nextends: b.yaml\n", "a.yaml")
    write(tmp_path, "# B?\nextends: a.yaml\n", "b.yaml")
    with pytest.raises(InputError, match="too many nested extends"):
        load_scenario(tmp_path / "a.yaml")


def test_order_file_is_relative_to_the_scenario(tmp_path: Path):
    (tmp_path / "orders.json").write_text((REPO / "samples" / "lyon" / "batch.json").read_text())
    config = load_scenario(
        write(tmp_path, bad(GOOD, "hourly_rates: [20, 30]", "order_file: orders.json"))
    )
    assert config.demand.order_file == str(tmp_path / "orders.json")


def test_order_file_of_a_variant_is_relative_to_the_scenario(tmp_path: Path):
    (tmp_path / "monday.json").write_text((REPO / "samples" / "lyon" / "batch.json").read_text())
    text = GOOD + "compare:\n  - {name: monday, demand.order_file: monday.json}\n"
    experiment = load_experiment(write(tmp_path, text))
    assert experiment.variants[0][1].demand.order_file == str(tmp_path / "monday.json")


def test_a_bad_order_file_is_named_by_the_batch_reader(tmp_path: Path):
    (tmp_path / "orders.json").write_text('{"name": "x"}')
    text = bad(GOOD, "hourly_rates: [20, 30]", "order_file: orders.json")
    with pytest.raises(InputError) as caught:
        load_scenario(write(tmp_path, text))
    assert caught.value.file.endswith("orders.json")


def test_a_key_without_value_is_left_out(tmp_path: Path):
    config = load_scenario(write(tmp_path, GOOD + "routing:\nlayout: {blocks: }\n"))
    assert config.routing == "s_shape" and config.layout.blocks == 1


def test_units():
    assert parse_time("06:30") == 23400 and parse_time("30:00") == 108000
    assert parse_time("13:05:09") == 13 * 3600 + 5 * 60 + 9
    assert format_time(23400) == "06:30"
    for text in ("6", "12:60", "48:00", "noon"):
        with pytest.raises(ValueError):
            parse_time(text)
    assert parse_duration(90) == 90 and parse_duration("15 min") == 900
    assert parse_duration("1.5h") == 5400 and parse_duration("20 s") == 20
    for value in (-1, "soon", True, None):
        with pytest.raises(ValueError):
            parse_duration(value)


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_scenarios_load_and_ask_a_question(path: Path):
    experiment = load_experiment(path)
    assert "?" in experiment.baseline.question
    assert experiment.baseline.trucks


def test_shipped_scenarios_compare_what_they_say():
    names = {p.stem: load_experiment(p) for p in SCENARIOS.glob("*.yaml")}
    assert {"baseline", "peak_day", "cross_aisle", "batching", "more_pickers"} <= set(names)
    batching = names["batching"]
    assert sorted(c.batching.policy for c in batching.configs) == sorted(
        ["single", "fcfs", "seed", "savings", "time_window", "waves"]
    )
    assert [c.layout.blocks for c in names["cross_aisle"].configs] == [1, 2, 2]
    counts = [c.pickers.count for c in names["more_pickers"].configs]
    assert counts[-1] == counts[0] + 4


def test_docs_name_every_setting():
    docs = (REPO / "docs" / "scenarios.md").read_text()
    missing = [
        f for f in scenario_fields() if not re.search(rf"`{re.escape(f.split('.')[-1])}`", docs)
    ]
    assert missing == []
