"""da3bench's tools in Python: what turns the benchmark's JSON into
decisions and documents. The entry points are the thin scripts one folder
up (scripts/compare.py, gate.py, report.py, ...); the modules here:

  results      load and validate Google Benchmark JSON, group repetitions
  stats        the tests and intervals (standard library only)
  verdict      compare's rule: regression, improvement, unchanged, inconclusive
  rounds       gate's sequential rule over interleaved rounds
  args         argument types shared by the tools (percent, duration)
  tables       cell formatting, markdown, CSV and LaTeX tables
  sections     the report's sections, from the records
  plots        matplotlib figures; gnuplot: its data files and scripts
  da3lib       libda3.so through ctypes (baselines.py's side of the kernels)
  baseline_impls  the peers timed side by side (numpy, PyTorch, onnxruntime)
  compare, gate, gate_bisect, calibrate_gate, report, history, baselines,
  pr_comment   the tools themselves, each with main()
"""
