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
# # 第一步：台账清洗 (Step 1, clean)
#
# 读取 `data/raw/<year>/` 下的全部台账，定位表头、统一日期/数字/是否标记、删除表尾与空行、
# 隔离有问题的行，并把个人信息替换为带密钥的假名后写入 `data/clean/<year>/`。原始文件不会被修改。

# %% tags=["parameters"]
year: int = 2025  # report year (报告年度)
unit: str = ""  # reporting unit, empty = from the manifest (单位)
raw_root: str = "data/raw"  # folder holding <year>/ raw ledgers
clean_root: str = "data/clean"  # folder receiving <year>/ clean tables
build_root: str = "build"  # folder receiving <year>/ run outputs
expectations_dir: str = "expectations"  # Great Expectations suites
key_file: str = ""  # pseudonymisation key file outside git, empty = env or demo key

# %%
import pandas as pd

from lawreport.clean_step import run_clean
from lawreport.params import check_params

params = check_params(dict(year=year, unit=unit, raw_root=raw_root, clean_root=clean_root, build_root=build_root,
                           expectations_dir=expectations_dir, key_file=key_file))
summary = run_clean(params)
print(f"单位：{summary.manifest.unit}  年度：{params.year}  样例数据 (synthetic)：{summary.manifest.synthetic}")

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
