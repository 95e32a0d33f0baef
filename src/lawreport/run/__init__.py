"""The steps of a run: the papermill pipeline and what each step does.

    pipeline.py       the ordered run clean -> validate -> figures -> appendix, stamps and kernels
    spare_kernels.py  warm kernels kept for the next run
    clean_step.py     step 1, every ledger of a year from data/raw/<year>/ to data/clean/<year>/
    validation.py     step 2, Great Expectations suites and checks in pandas (gx.py: its import)
    figures_step.py   step 3, every figure of the register computed and verified (figures_kept.py: reuse)
    summary.py        what a run found, on the terminal, and its exit code

The appendix (step 4) is its own package, lawreport.appendix.
"""
