# The front door. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
YEAR ?= 2025
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help run stop-kernels test lab lint samples expectations lock clean-build publish explain bench bench-scale bench-check check mutants register-check

help: ## 列出全部目标 (list the targets)
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@# The package's bytecode, written once here: an editable install leaves it to the first import,
	@# and with PYTHONDONTWRITEBYTECODE set every process (each kernel) compiles the sources again.
	$(BIN)/python -m compileall -q src/lawreport
	@touch $(STAMP)

run: $(STAMP) ## 运行 YEAR 年的全部步骤，默认 2025 (run the suite for YEAR)；FAIL_ON=mismatch,... 定哪些结果使退出码为 1 (what exits 1, see README)
	$(BIN)/lawreport run --year $(YEAR) $(if $(FAIL_ON),--fail-on $(FAIL_ON))

stop-kernels: $(STAMP) ## 立即停止运行后留下的预热内核 (stop the warm kernels; they also stop themselves after LAWREPORT_WARM_SECONDS, default 900)
	$(BIN)/lawreport stop-kernels

test: $(STAMP) ## 安装后运行代码检查、格式检查和全部测试 (lint, format check and all tests)
	$(BIN)/ruff check src tests tools
	$(BIN)/ruff format --check src tests tools
	$(BIN)/python -m pytest -q

lab: $(STAMP) ## 用本项目环境打开 JupyterLab，双击 .py 即以笔记本打开 (JupyterLab; .py opens as a notebook)
	JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter-config$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
	  $(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/notebooks \
	  $$([ "$$(id -u)" = 0 ] && echo --allow-root)

lint: $(STAMP) ## 代码检查与格式检查 (ruff lint and format check)
	$(BIN)/ruff check src tests tools
	$(BIN)/ruff format --check src tests tools

samples: $(STAMP) ## 重新生成 data/raw/ 下的样例台账 (regenerate the synthetic sample ledgers)
	$(BIN)/python -m lawreport.sample.generator --out data/raw

expectations: $(STAMP) ## 按台账规格重新生成 expectations/*.json (regenerate the suites from the ledger specs)
	$(BIN)/python -m lawreport.ledgers.suites --write $(or $(EXPECTATIONS_DIR),expectations/) $(if $(RAW_ROOT),--raw-root $(RAW_ROOT))

lock: $(STAMP) ## 按已安装的环境更新 requirements.lock (refresh the lock file)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^lawreport' > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean-build: ## 删除生成的 build/ 和 data/clean/ (remove generated outputs)
	rm -rf build data/clean

publish: ## 审核后把 build/YEAR/figures.json 定为发布基线 published/YEAR/ (release the reviewed figures)
	@test -f build/$(YEAR)/figures.json || { echo "先运行 make run YEAR=$(YEAR)"; exit 2; }
	mkdir -p published/$(YEAR) && cp build/$(YEAR)/figures.json published/$(YEAR)/figures.json

explain: $(STAMP) ## 这个数字从哪里来 (where does a figure come from)：make explain ID=dispute_resolution_rate [YEAR=2025]
	$(BIN)/lawreport explain $(ID) --year $(YEAR)

bench: $(STAMP) ## 性能测量，不是测试 (benchmark)：冷启动、未变重跑、改一本台账、纯计算
	$(BIN)/python -m lawreport.bench.suite --year $(YEAR)

bench-scale: $(STAMP) ## 规模测量，不是测试 (scale benchmark)：台账行数 ×SCALES 的冷启动与 UNITS 个单位依次/并行，默认 SCALES=1,10,100 UNITS=20
	$(BIN)/python -m lawreport.bench.scale --year $(YEAR) $(if $(SCALES),--scales $(SCALES)) $(if $(UNITS),--units $(UNITS))

mutants: $(STAMP) ## 变异检查：指标筛选条件的每个变异都须被单元测试发现 (mutation check, exit 1 if one survives)
	$(BIN)/python tools/mutate_metrics.py

register-check: $(STAMP) ## 检查 YEAR 年的数字登记册，一次列出全部问题，不启动计算 (validate the register)：make register-check YEAR=2025 [JSON=out.json]
	$(BIN)/lawreport register check --year $(YEAR) $(if $(JSON),--json $(JSON))

check: $(STAMP) ## 只核对报告自身的算术，不需要台账 (check any report's arithmetic)：make check PATHS="a.docx reports/" [JSON=out.json HTML=out.html]
	$(BIN)/lawreport check $(PATHS) $(if $(JSON),--json $(JSON)) $(if $(HTML),--html $(HTML))

bench-check: $(STAMP) ## 性能测量，不是测试 (benchmark)：lawreport check 核对 1000 份完整报告的时间与内存峰值
	$(BIN)/python -m lawreport.bench.check
