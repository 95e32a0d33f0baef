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
# # 第四步：附录 (Step 4, appendix)
#
# 生成报告的数字核对附录：封面、报告原文(数字按核对状态着色)、逐项核对卡片、图表、数据质量、可复现性。
# 本笔记本每次运行执行两遍：`edition` 为 public(公开版，只含汇总与计算步骤)或 internal(内部审核版，
# 含假名化的台账行)。所有逻辑在 `lawreport.appendix` 中；导出为 HTML 由 `export_appendix` 完成。

# %% tags=["parameters"]
year: int = 2025  # report year (报告年度)
unit: str = ""  # reporting unit, empty: from the manifest (单位)
raw_root: str = "data/raw"  # folder holding <year>/ raw ledgers
clean_root: str = "data/clean"  # folder receiving <year>/ clean tables
build_root: str = "build"  # folder receiving <year>/ run outputs
expectations_dir: str = "expectations"  # Great Expectations suites
claims_dir: str = "claims"  # registers of the reports' figures
key_file: str = ""  # pseudonymisation key file outside git, empty: env or demo key
edition: str = "public"  # public or internal

# %%
from IPython.display import HTML, display

from lawreport import appendix
from lawreport.params import params_from_namespace

# Checks the parameters (a misspelt papermill -p name fails here) and that figures.json exists; run by
# hand, it only displays the sections (the appendix files are written by the pipeline's export).
params = params_from_namespace(globals(), step="appendix", extra=("edition",))
app = appendix.load_appendix(params, edition)

# %% [markdown]
# ## 封面 (cover)

# %%
display(HTML(appendix.cover(app)))

# %% [markdown]
# ## 报告原文 (report text, figures highlighted)

# %%
display(HTML(appendix.report_section(app)))

# %% [markdown]
# ## 逐项核对 (one card per figure)

# %%
display(HTML(appendix.cards_section(app)))

# %% [markdown]
# ## 报告自身的算术 (the report's own arithmetic, as `lawreport check` finds it)

# %%
display(HTML(appendix.arithmetic_section(app)))

# %% [markdown]
# ## 上年承诺落实情况 (last year's commitments, checked on this year's ledgers)

# %%
display(HTML(appendix.commitments_section(app)))

# %% [markdown]
# ## 与上年对照 (year over year: figures kept, new and dropped)

# %%
display(HTML(appendix.year_over_year_section(app)))

# %% [markdown]
# ## 图表 (charts)

# %%
display(HTML(appendix.charts_section(app)))

# %% [markdown]
# ## 数据质量 (data quality)

# %%
display(HTML(appendix.quality_section(app)))

# %% [markdown]
# ## 可复现性 (reproducibility)

# %%
display(HTML(appendix.reproducibility_section(app)))
