"""Issue 10: rows read the way the ledgers say them — headers, 是/否, 元 — and breakdowns in their natural order."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
from frames import clean_frame

from lawreport.appendix.sections import _counts, breakdown_column
from lawreport.ledgers import get_ledger
from lawreport.register.explain import (
    EMPTY,
    amount_text,
    breakdown,
    cell_text,
    column_label,
    header_text,
    ledger_words,
    plain_value,
    raw_text,
    text_table,
)


def test_months_run_in_calendar_order_not_code_point_order():
    frame = clean_frame(
        "street_incidents",
        2025,
        [{"month": m, "incident_category": "盗窃", "incidents": m} for m in (10, 11, 12, 1, 2, 9)],
    )
    label, labels, order = breakdown_column(get_ledger("street_incidents"), frame)
    assert label == "月份"
    assert list(_counts(labels, order)) == ["1月", "2月", "9月", "10月", "11月", "12月"]


def test_date_months_run_in_calendar_order_and_empty_comes_last():
    frame = clean_frame(
        "penalty_cases",
        2025,
        [{"case_no": "A1", "filed_date": d} for d in ("2025-10-03", "2025-01-05", "2025-12-01", "2025-02-09")]
        + [{"case_no": "A5"}],
    )
    label, labels, order = breakdown_column(get_ledger("penalty_cases"), frame)
    assert label == "立案日期(月份)"
    assert list(_counts(labels, order)) == ["1月", "2月", "10月", "12月", EMPTY]


def test_categories_follow_their_vocabulary_then_the_most_rows_never_code_point_order():
    # 纠纷类型: 婚姻家庭, 邻里纠纷, 劳动争议, 物业纠纷, 债权债务, 土地山林, 其他 (Column.allowed)
    types = ["其他", "债权债务", "债权债务", "邻里纠纷", "婚姻家庭", "其他", "其他"]
    frame = clean_frame("dispute_screening", 2025, [{"dispute_type": t} for t in types])
    label, labels, order = breakdown_column(get_ledger("dispute_screening"), frame)
    assert label == "纠纷类型"
    assert _counts(labels, order) == {"婚姻家庭": 1, "邻里纠纷": 1, "债权债务": 2, "其他": 3}
    assert sorted(_counts(labels, order)) != list(_counts(labels, order)), "not code-point order"
    # A label outside the vocabulary (not possible after cleaning, but never code-point order): by count.
    odd = pd.Series(["乙", "甲", "甲", EMPTY, "婚姻家庭"])
    assert list(_counts(odd, ["婚姻家庭"])) == ["婚姻家庭", "甲", "乙", EMPTY]


def test_a_breakdown_sums_the_quantity_and_adds_up_to_it():
    frame = clean_frame(
        "street_incidents",
        2025,
        [
            {"month": 1, "incident_category": "盗窃", "incidents": 5},
            {"month": 1, "incident_category": "诈骗", "incidents": 7},
            {"month": 2, "incident_category": "盗窃", "incidents": 3},
        ],
    )
    made = breakdown("street_incidents", frame, "incidents")
    assert made.rows == {"1月": 2, "2月": 1} and made.sums == {"1月": 12, "2月": 3}
    assert made.total == 15 and made.quantity == "警情数" and not made.amount
    by_rows = breakdown("street_incidents", frame)
    assert by_rows.sums is None and by_rows.total == 3


def test_amounts_read_with_thousands_separators_and_their_unit():
    assert amount_text(352600) == "352,600 元"
    assert amount_text(Decimal("20400")) == "20,400 元"
    assert amount_text(1200.5) == "1,200.5 元"
    assert amount_text(None) == ""
    fines = get_ledger("penalty_cases").column("fine_amount")
    assert cell_text(fines, 1200.0) == "1,200 元" and cell_text(fines, pd.NA) == ""
    frame = clean_frame(
        "penalty_cases", 2025, [{"fine_amount": 352600.0, "closed_date": "2025-03-01"}, {"fine_amount": 50.0}]
    )
    made = breakdown("penalty_cases", frame, "fine_amount")
    assert made.amount and made.quantity_text(made.total) == "352,650 元"


def test_flags_dates_and_whole_numbers_read_plainly():
    assert plain_value(True) == "是" and plain_value(False) == "否" and plain_value(pd.NA) == ""
    assert plain_value(pd.Timestamp("2025-01-01")) == "2025-01-01"
    assert plain_value(pd.Timestamp("2025-01-01 10:52:03")) == "2025-01-01 10:52:03"
    assert plain_value(3.0) == "3"
    assert raw_text(45658.0) == "45658" and raw_text("√") == "√" and raw_text(None) == ""


def test_columns_are_named_by_their_ledger_headers():
    inspections = get_ledger("admin_inspections")
    assert column_label(inspections, "compliant") == "是否规范"
    assert column_label(inspections, "inspector_key") == "检查人员", "a pseudonymised column keeps its header"
    assert column_label(inspections, "source_row") == "原始行号"
    assert header_text(get_ledger("petitions").column("received_date")) == "受理日期", "two-level header 受理|日期"
    assert ledger_words("penalty_cases", "「fine_amount」为空，按 0 计") == "「罚没金额(元)」为空，按 0 计"


def test_text_tables_align_chinese_by_display_width():
    text = text_table(["编号", "类别"], [["A1", "盗窃"], ["A22", "寻衅滋事"]])
    lines = text.splitlines()
    assert lines[0] == "编号  类别"
    assert lines[2] == "A22   寻衅滋事"
    assert lines[1].index("盗窃") == lines[2].index("寻衅滋事")
