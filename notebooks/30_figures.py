# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 第三步：报告数字核对 (Step 3, figures)
#
# 按 `claims/<year>.yaml` 登记册，逐一用清洗后的台账重新计算报告中的每个数字，按其写法的含义
# (如“50余”“约8万”“99.85%”“同比下降”)判断是否一致，并检查报告数字之间是否自相矛盾。
# 结果写入 `build/<year>/figures.json`，每个数字所依据的行写入 `build/<year>/lineage/`。

# %% tags=["parameters"]
year: int = 2025  # report year (报告年度)
unit: str = ""  # reporting unit, empty: from the manifest (单位)
raw_root: str = "data/raw"  # folder holding <year>/ raw ledgers
clean_root: str = "data/clean"  # folder receiving <year>/ clean tables
build_root: str = "build"  # folder receiving <year>/ run outputs
expectations_dir: str = "expectations"  # Great Expectations suites
claims_dir: str = "claims"  # registers of the reports' figures
key_file: str = ""  # pseudonymisation key file outside git, empty: env or demo key

# %%
import pandas as pd

from lawreport.register.claims import STATUS_ZH
from lawreport.run.figures_step import run_figures
from lawreport.params import params_from_namespace

params = params_from_namespace(globals())
report = run_figures(params)
if report.register is None:
    print(f"{params.year} 年没有数字登记册 claims/{params.year}.yaml：台账已清洗、校验，但没有报告数字可核对")
else:
    counts = "，".join(f"{STATUS_ZH[s]} ({s}) {n} 个" for s, n in report.counts().items())
    print(f"{report.unit} {params.year} 年报告共登记 {len(report.results)} 个数字：{counts}")
if report.previous_commitments is not None:
    from lawreport.register.commitments import counts_text

    print(f"{params.year - 1} 年报告的下一步承诺 {len(report.previous_commitments)} 项，用 {params.year} 年台账核对："
          + counts_text(report.commitment_counts()))

# %% [markdown]
# ## 逐项结果 (every figure)

# %%
pd.DataFrame([{"名称": r.entry.title, "编号": r.entry.id, "报告写法": r.entry.written, "计算值": r.computed,
               "状态": f"{STATUS_ZH[r.status]} ({r.status})"} for r in report.results],
             columns=["名称", "编号", "报告写法", "计算值", "状态"])

# %% [markdown]
# ## 非“一致”的数字及原因 (figures that are not `match`)
#
# 任一数字的口径、计算和所依据的台账行：`lawreport explain <编号> --year <年度>`；全部编号：`lawreport explain --list`。

# %%
pd.DataFrame([{"名称": r.entry.title, "编号": r.entry.id, "状态": f"{STATUS_ZH[r.status]} ({r.status})",
               "原因": "；".join(r.reasons)} for r in report.results if r.status != "match"],
             columns=["名称", "编号", "状态", "原因"])
