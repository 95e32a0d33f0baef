"""The four statuses of a reported figure, in code and in Chinese (one place; a light module, so
that reading a run's results does not import the metrics)."""

STATUSES = ("match", "mismatch", "inconsistent", "no_data")
STATUS_ZH = {"match": "一致", "mismatch": "不一致", "inconsistent": "报告自身矛盾", "no_data": "无数据"}

# The three statuses of last year's 下一步 commitment checked on this year's ledgers
# (lawreport.register.commitments), with the symbol shown beside each word (never colour alone).
COMMITMENT_STATUSES = ("met", "not_met", "no_data")
COMMITMENT_STATUS_ZH = {"met": "已落实", "not_met": "未落实", "no_data": "无数据"}
COMMITMENT_MARK = {"met": "✓", "not_met": "✗", "no_data": "?"}
