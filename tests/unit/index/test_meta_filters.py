"""Which meta files mean "this schema": the filter list must match the field table's; an index of the same schema
version from before the meta file listed filters had exactly agency and topic, and is still current."""

from __future__ import annotations

from index.schema import FILTER_FIELDS, SCHEMA_VERSION, meta_current


def test_meta_files_of_this_schema_are_current_and_others_are_not() -> None:
    assert meta_current({"schema_version": SCHEMA_VERSION, "filters": list(FILTER_FIELDS)})
    assert not meta_current({"schema_version": SCHEMA_VERSION, "filters": [*FILTER_FIELDS, "disclosure"]})
    assert not meta_current({"schema_version": SCHEMA_VERSION - 1, "filters": list(FILTER_FIELDS)})
    older = {"schema_version": SCHEMA_VERSION, "last_seq": 3}  # written before the meta file listed filters
    assert meta_current(older) == (FILTER_FIELDS == ("agency", "topic"))
