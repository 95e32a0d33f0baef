# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 第二步：数据校验 (Step 2, validate)
#
# 用 `expectations/` 中每张清洗表的 Great Expectations 校验套件检查 `data/clean/<year>/`，
# 并做跨表检查(如 结案 ≤ 立案 + 上年结转)。结果、可离线阅读的中文校验页面 `index.html` 与 GX Data Docs
# 写入 `build/<year>/validation/`；
# 任何一项不通过都会停止运行，并指出表、校验项和出问题的行(失败结果保留在 `validation-failed/`)。

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
from lawreport.params import params_from_namespace
from lawreport.run.validation import run_validation

# Checks the parameters (a misspelt papermill -p name fails here) and that the clean data exists;
# run by hand, takes the run lock and keeps the step's stamp true (lawreport.run.pipeline.notebook_step).
params = params_from_namespace(globals(), step="validate")
# Fails here, naming table, expectation and rows, when any check fails; the failing results are
# kept in build/<year>/validation-failed/ and the last good build/<year>/validation/ stays.
report = run_validation(params)
counts = report.counts()
print(f"全部校验通过 (all expectations passed)：{counts['checks']} 项校验 (checks)，其中 GX 校验项 "
      f"{counts['expectations_total']} 个；本次运行校验 {counts['tables_validated']} 张表、复用缓存 "
      f"{counts['tables_reused']} 张 (validated / reused from cache, build/{params.year}/validation/cache/)")
report.summary_frame()
