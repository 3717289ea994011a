"""The benchmark tells missed true pairs apart: never compared (blocking) or compared and kept apart (score)."""

from __future__ import annotations

from benchmarks.masterdata.replica import missed_pairs
from hub.masterdata.subscriber import catalog_for


def test_missed_pairs_are_counted_by_cause_and_by_what_the_later_record_carries():
    records = [
        {"system": "crm", "id": "1", "_truth": "c1", "name": "上海明辉贸易有限公司", "tax_id": "x", "phone": "13800138000"},
        {"system": "erp", "id": "2", "_truth": "c1", "name": "明辉贸易有限公司", "city": "上海"},
        {"system": "srm", "id": "3", "_truth": "c1", "name": "南方家居有限公司", "email": "a@b.com"},
    ]
    predicted = {"crm:1": "g1", "erp:2": "g2", "srm:3": "g3"}
    missed = missed_pairs(catalog_for().get("customer"), records, predicted)
    assert missed == {("score", "city"): 1, ("blocking", "email"): 2}


def test_pairs_that_were_merged_are_not_missed():
    records = [{"system": "crm", "id": "1", "_truth": "c1", "name": "明辉贸易"},
               {"system": "erp", "id": "2", "_truth": "c1", "name": "明辉贸易"}]
    assert not missed_pairs(catalog_for().get("customer"), records, {"crm:1": "g", "erp:2": "g"})
