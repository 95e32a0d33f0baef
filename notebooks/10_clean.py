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
# # 第一步：台账清洗 (Step 1, clean)
#
# 读取 `data/raw/<year>/` 下的全部台账，定位表头、统一日期/数字/是否标记、删除表尾与空行、
# 隔离有问题的行，并把个人信息替换为带密钥的假名后写入 `data/clean/<year>/`。原始文件不会被修改。
# 同比、连续年度等指标需要以前年度的数据，因此 `data/raw/` 中更早年度的台账也一并清洗。

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

from lawreport.run.clean_step import run_clean_years
from lawreport.params import params_from_namespace

# Checks the parameters (a misspelt papermill -p name fails here); run by hand, takes the run lock
# and keeps the step's stamp true (see lawreport.run.pipeline.notebook_step).
params = params_from_namespace(globals(), step="clean")
summaries = run_clean_years(params)
summary = summaries[params.year]
print(f"单位：{summary.manifest.unit}  年度：{params.year}  样例数据 (synthetic)：{summary.manifest.synthetic}")
for other, earlier in summaries.items():
    if other != params.year:
        print(f"  同时清洗 {other} 年(供同比、连续年度等指标使用)：{len(earlier.results)} 本台账，"
              f"隔离 {len(earlier.quarantine)} 个问题")

# %% [markdown]
# ## 行数核对 (row accounting): 读入 = 保留 + 隔离 + 删除

# %%
accounting = summary.accounting()
assert (accounting.rows_read == accounting.rows_kept + accounting.rows_quarantined + accounting.rows_dropped).all()
accounting

# %% [markdown]
# ## 隔离的行 (quarantined rows)

# %%
quarantine = summary.quarantine_frame()
print(f"隔离 {quarantine[['table', 'row']].drop_duplicates().shape[0]} 行，涉及台账：{sorted(quarantine.table.unique())}")
quarantine.groupby(["table", "code", "reason"]).size().rename("problems").reset_index() if len(quarantine) else pd.DataFrame()
