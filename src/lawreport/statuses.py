"""The four statuses of a reported figure, in code and in Chinese (one place; a light module, so
that reading a run's results does not import the metrics)."""

STATUSES = ("match", "mismatch", "inconsistent", "no_data")
STATUS_ZH = {"match": "一致", "mismatch": "不一致", "inconsistent": "报告自身矛盾", "no_data": "无数据"}
