"""`make bench`: zcf's stages timed as whole processes against reference tools.

For each size (bench/generate.py: S, M, L; R30K is the 30,000-purchase-line report case) the
inputs are generated once (fixed seed, cached in bench/data/), then each stage runs as a
child process of the zcf CLI, N times (3 at S/M/R30K, 1 at L), next to its reference
(bench/reference.py) run the same way:

    stage    zcf command                                   reference
    ingest   zcf ingest <xlsx|csv dir|parquet dir> -o OUT  calamine / pyarrow.csv / pyarrow.parquet
    calc     zcf calc OUT                                  DuckDB: same lines and totals
    check    zcf check OUT --fail-on never                 DuckDB group-bys over lines.parquet
    report   zcf report OUT --format pdf|xlsx (|both)      none: absolute targets

Times are wall-clock medians of the whole process (interpreter start-up included, for zcf
and the reference alike). Peak RSS is the child's own ru_maxrss from os.wait4 (exact per
child, unlike RUSAGE_CHILDREN deltas). A run that fails or exceeds --timeout is reported as
such in the table; the harness goes on. Targets: bench/targets.toml. Output: a Markdown table
on stdout, bench/results.json and bench/results.md; with bench/baseline.json (written by
--save-baseline) the table shows the change of the zcf median against it.

    python bench/run.py --sizes S --stages ingest,calc
    python bench/run.py --sizes L --stages ingest --formats csv,parquet
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import reference  # noqa: E402

WORK = generate.DATA / "work"
RUNS = {"XS": 1, "S": 3, "R30K": 3, "M": 3, "L": 1}
STAGES = ["ingest", "calc", "check", "report"]
INGEST_FORMATS = ["xlsx", "csv", "parquet"]
REPORT_FORMATS = ["pdf", "xlsx"]


# ----------------------------------------------------------------------------- processes


@dataclass
class Run:
    seconds: float
    peak_rss_mb: float
    status: str  # ok, failed, timeout
    cpu_seconds: float = 0.0  # user + system of the child (robust when other work loads the machine)
    reason: str = ""
    stdout: str = ""


MEMORY_LIMIT_MB = 0  # --memory-limit-mb: RLIMIT_DATA of each child, 0 for none


def _limit_memory() -> None:
    if MEMORY_LIMIT_MB:
        import resource

        limit = MEMORY_LIMIT_MB * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


DEADLINE: float | None = None  # --deadline: epoch seconds after which no run starts or continues


def run_process(cmd: list[str], timeout: float, log: Path) -> Run:
    """Run cmd as a child; wall time, the child's own peak RSS (os.wait4) and its status."""
    if DEADLINE is not None:
        left = DEADLINE - time.time()
        if left <= 0:
            return Run(0.0, 0.0, "timeout", reason="not run: the --deadline had passed")
        timeout = min(timeout, left)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ZCF_LANG": "en"}
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log.with_suffix(".out"), "w") as out, open(log.with_suffix(".err"), "w") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=WORK, start_new_session=True,
                                preexec_fn=_limit_memory if MEMORY_LIMIT_MB else None)
        timed_out = False
        try:
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() - start > timeout:
                    os.killpg(proc.pid, signal.SIGKILL)
                    pid, status, usage = os.wait4(proc.pid, 0)
                    timed_out = True
                    break
                time.sleep(0.002 if time.perf_counter() - start < 2 else 0.02)
        except BaseException:  # Ctrl-C or a kill of the harness: do not leave the child running
            os.killpg(proc.pid, signal.SIGKILL)
            raise
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stdout = log.with_suffix(".out").read_text(errors="replace")
    rss = usage.ru_maxrss / 1024  # KB on Linux
    cpu = usage.ru_utime + usage.ru_stime
    if timed_out:
        return Run(seconds, rss, "timeout", reason=f"over {timeout:.0f} s", cpu_seconds=cpu)
    if proc.returncode != 0:
        tail = log.with_suffix(".err").read_text(errors="replace").strip().splitlines()[-3:]
        tail = tail or stdout.strip().splitlines()[-3:]
        return Run(seconds, rss, "failed", reason=f"exit {proc.returncode}: " + " ".join(tail)[-300:], cpu_seconds=cpu)
    return Run(seconds, rss, "ok", stdout=stdout, cpu_seconds=cpu)


def zcf(*args: str) -> list[str]:
    return [sys.executable, "-m", "zcf", *args]


def ref(*args: str) -> list[str]:
    return [sys.executable, str(HERE / "reference.py"), *args]


@dataclass
class Timing:
    runs: list[Run] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.status == "ok" for r in self.runs)

    @property
    def median(self) -> float | None:
        return statistics.median(r.seconds for r in self.runs) if self.ok else None

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(r.cpu_seconds for r in self.runs) if self.ok else None

    @property
    def peak_rss_mb(self) -> float | None:
        return max(r.peak_rss_mb for r in self.runs) if self.runs else None

    @property
    def problem(self) -> str:
        bad = [r for r in self.runs if r.status != "ok"]
        return f"{bad[0].status}: {bad[0].reason}" if bad else ""

    def to_dict(self) -> dict:
        return {"median_s": _round(self.median), "runs_s": [round(r.seconds, 3) for r in self.runs],
                "cpu_median_s": _round(self.cpu_median), "cpu_runs_s": [round(r.cpu_seconds, 3) for r in self.runs],
                "peak_rss_mb": _round(self.peak_rss_mb, 1), "status": "ok" if self.ok else self.problem}


def _round(v, n=3):
    return None if v is None else round(v, n)


def timed(cmd: list[str], n: int, timeout: float, log: Path, before=None) -> Timing:
    """n runs of cmd (fewer when one fails: a failure is not retried)."""
    timing = Timing()
    for i in range(n):
        if before:
            before()
        run = run_process(cmd, timeout, log.with_name(f"{log.name}-{i}"))
        timing.runs.append(run)
        if run.status != "ok":
            break
    return timing


# ----------------------------------------------------------------------------- cases


@dataclass
class Case:
    stage: str
    size: str
    format: str
    rows: int | None = None
    zcf: Timing = field(default_factory=Timing)
    reference: Timing | None = None
    pages: int | None = None
    note: str = ""
    verdict: dict = field(default_factory=dict)

    def key(self) -> str:
        return f"{self.stage}/{self.size}/{self.format}"

    def to_dict(self) -> dict:
        ratio = (self.zcf.median / self.reference.median) if self.reference and self.zcf.median and self.reference.median else None
        cpu_ratio = (self.zcf.cpu_median / self.reference.cpu_median) if self.reference and self.zcf.cpu_median \
            and self.reference.cpu_median else None
        return {"stage": self.stage, "size": self.size, "format": self.format, "rows": self.rows, "pages": self.pages,
                "zcf": self.zcf.to_dict(), "reference": self.reference.to_dict() if self.reference else None,
                "ratio": _round(ratio, 2), "cpu_ratio": _round(cpu_ratio, 2), "kb_per_line": _round(self.kb_per_line, 3), "note": self.note,
                **self.verdict}

    @property
    def kb_per_line(self) -> float | None:
        if self.stage != "calc" or not self.rows or self.zcf.peak_rss_mb is None:
            return None
        return self.zcf.peak_rss_mb * 1024 / self.rows


def _rm(path: Path):
    return lambda: shutil.rmtree(path, ignore_errors=True)


def _parquet_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


def _pdf_pages(path: Path) -> int | None:
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return len(PdfReader(str(path)).pages)


def bench_size(size: str, stages: list[str], formats: list[str], timeout: float, runs: int | None,
               log=print, later_runs: int | None = None) -> list[Case]:
    generate.generate(size, log=lambda m: log(m))
    meta = generate.meta(size)
    inputs = generate.paths(size)
    n = runs or RUNS.get(size, 1)
    ingest_runs = n
    n = later_runs or n  # calc, check, report
    work = WORK / size
    work.mkdir(parents=True, exist_ok=True)
    logs = work / "logs"
    out = work / "out"  # the dataset of the Parquet ingest: calc, check and report run on it
    rows_in = sum(meta["rows"].values())
    cases: list[Case] = []
    only_report = size == "R30K"

    if "ingest" in stages and not only_report:
        for fmt in [f for f in INGEST_FORMATS if f in formats]:
            case = Case("ingest", size, fmt, rows_in)
            cases.append(case)
            if inputs[fmt] is None:
                case.note = "no xlsx: a table is over Excel's 1,048,576 rows"
                continue
            dest = out if fmt == "parquet" else work / f"ingest-{fmt}"
            log(f"{size} ingest {fmt} ({rows_in:,} rows) × {ingest_runs}")
            case.zcf = timed(zcf("ingest", str(inputs[fmt]), "-o", str(dest)), ingest_runs, timeout,
                             logs / f"ingest-{fmt}", before=_rm(dest))
            case.reference = timed(ref(f"ingest-{fmt}", str(inputs[fmt])), ingest_runs, timeout, logs / f"ref-ingest-{fmt}")
            if dest != out:
                shutil.rmtree(dest, ignore_errors=True)  # only the Parquet ingest's output is kept

    later = [s for s in ("calc", "check", "report") if s in stages]
    if not later:
        return cases
    if not (out / "dataset").is_dir():
        log(f"{size} preparing the dataset (zcf ingest, untimed)")
        prep = run_process(zcf("ingest", str(inputs["parquet"]), "-o", str(out)), timeout, logs / "prep-ingest")
        if prep.status != "ok":
            return cases + [Case(s, size, "-", note=f"ingest for {s} {prep.status}: {prep.reason}") for s in later]

    if "calc" in stages or not (out / "lines.parquet").exists() or only_report:
        case = Case("calc", size, "parquet")
        prep_only = only_report or "calc" not in stages
        log(f"{size} calc × {1 if prep_only else n}{' (preparation, untimed)' if prep_only else ''}")
        case.zcf = timed(zcf("calc", str(out)), 1 if prep_only else n, timeout, logs / "calc")
        if case.zcf.ok:
            case.rows = _parquet_rows(out / "lines.parquet")
        if only_report or "calc" not in stages:  # only the preparation of check / report
            if not case.zcf.ok:
                return cases + [Case(s, size, "-", note=f"calc {case.zcf.problem}") for s in later if s != "calc"]
        else:
            cases.append(case)
            if case.zcf.ok:
                _calc_reference(case, out, work, n, timeout, logs, log)
    lines = _parquet_rows(out / "lines.parquet") if (out / "lines.parquet").exists() else None
    if lines is None:
        return cases + [Case(s, size, "-", note="no lines.parquet: calc failed")
                        for s in later if s != "calc" and not only_report]

    if "check" in stages and not only_report:
        case = Case("check", size, "-", lines)
        cases.append(case)
        log(f"{size} check × {n}")
        case.zcf = timed(zcf("check", str(out), "--fail-on", "never"), n, timeout, logs / "check")
        case.reference = timed(ref("check", str(out), str(work / "ref-check")), n, timeout, logs / "ref-check")

    if "report" in stages:
        for fmt in (["both"] if only_report else [f for f in REPORT_FORMATS if f in formats]):
            dest = work / f"report-{fmt}"
            case = Case("report", size, fmt, lines)
            cases.append(case)
            log(f"{size} report {fmt} × {n}")
            case.zcf = timed(zcf("report", str(out), "--format", fmt, "-o", str(dest)), n, timeout,
                             logs / f"report-{fmt}", before=_rm(dest))
            if case.zcf.ok and fmt in ("pdf", "both") and (dest / "report.pdf").exists():
                case.pages = _pdf_pages(dest / "report.pdf")
    return cases


def _calc_reference(case: Case, out: Path, work: Path, n: int, timeout: float, logs: Path, log) -> None:
    factors, ref_out = work / "ref-factors", work / "ref-calc"
    try:
        reference.prepare_factors(out, factors)
    except Exception as exc:  # the reference cannot reproduce zcf's factors: say so, do not crash
        case.reference = Timing([Run(0, 0, "failed", reason=f"factor export: {exc}"[:300])])
        return
    log(f"{case.size} calc reference (DuckDB) × {n}")
    case.reference = timed(ref("calc", str(out), str(factors), str(ref_out)), n, timeout, logs / "ref-calc")
    if case.reference.ok:
        ours = reference.zcf_totals(out)
        theirs = json.loads((ref_out / "totals.json").read_text())
        same_lines = sum(t[4] for t in ours) == sum(t[4] for t in theirs)
        worst = max((abs(a[3] - b[3]) / max(abs(a[3]), 1e-300) for a, b in zip(ours, theirs)), default=0.0)
        agree = same_lines and len(ours) == len(theirs) and worst <= 1e-9
        case.note = ("reference lines and totals = zcf's" if agree else
                     f"reference differs from zcf: lines {sum(t[4] for t in theirs)} vs {sum(t[4] for t in ours)}, "
                     f"worst total rel. diff {worst:.2e}")


# ----------------------------------------------------------------------------- verdicts


def _per_million_lines(verdict: dict, per: float, rows: int | None, seconds: float | None) -> None:
    """A time target that scales with the lines (seconds per 1M lines, at least 1M)."""
    limit = per * max(1.0, (rows or 0) / 1e6)
    verdict["target"] = f"≤ {limit:.3g} s ({per:g} s per 1M lines)"
    if seconds is not None:
        verdict["met"] = seconds <= limit


def judge(case: Case, targets: dict, peaks: dict) -> None:
    """Fill case.verdict: target (text), met (True/False/None) and memory_met."""
    t = zcf_s = case.zcf.median
    ref_s = case.reference.median if case.reference else None
    verdict: dict = {"target": "", "met": None}
    if case.stage == "ingest":
        limit = targets["ingest"][case.format]["max_ratio"]
        verdict["target"] = f"≤ {limit:g}× reference"
        if zcf_s is not None and ref_s:
            verdict["met"] = zcf_s / ref_s <= limit
    elif case.stage == "calc":
        spec = targets["calc"]
        verdict["target"] = f"≤ {spec['max_ratio']:g}× DuckDB; ≤ {spec['max_kb_per_line']:g} KB/line"
        if zcf_s is not None and ref_s:
            verdict["met"] = zcf_s / ref_s <= spec["max_ratio"]
        kb = case.kb_per_line
        if kb is not None and case.rows:
            if case.rows >= spec["end_to_end_lines"]:
                peak = max(peaks.get((case.size, "ingest"), 0), case.zcf.peak_rss_mb or 0)
                verdict["memory_met"] = kb <= spec["max_kb_per_line"] or peak <= spec["max_peak_rss_mb_end_to_end"]
            elif case.rows >= spec["min_lines_for_memory"]:
                verdict["memory_met"] = kb <= spec["max_kb_per_line"]
            else:
                verdict["memory_met"] = None  # below min_lines_for_memory: not judged
        if verdict["met"] is not None and verdict.get("memory_met") is False:
            verdict["met"] = False
    elif case.stage == "check":
        _per_million_lines(verdict, targets["check"]["max_seconds_per_million_lines"], case.rows, t)
    elif case.stage == "report" and case.format == "pdf":
        per = targets["report"]["pdf"]["max_seconds_per_page"]
        verdict["target"] = f"≤ {per:g} s/page"
        if t is not None and case.pages:
            verdict["met"] = t / case.pages <= per
            verdict["seconds_per_page"] = round(t / case.pages, 3)
    elif case.stage == "report" and case.format == "xlsx":
        _per_million_lines(verdict, targets["report"]["xlsx"]["max_seconds_per_million_lines"], case.rows, t)
    elif case.stage == "report" and case.format == "both":
        limit = targets["report"]["both"]["max_seconds"]
        verdict["target"] = f"≤ {limit:g} s (PDF + Excel)"
        if t is not None:
            verdict["met"] = t <= limit
    case.verdict = verdict


# ----------------------------------------------------------------------------- output


def _fmt_s(v: float | None) -> str:
    return "—" if v is None else (f"{v:.2f}" if v < 100 else f"{v:.0f}")


def table(cases: list[dict], baseline: dict) -> str:
    """The Markdown table of cases (Case.to_dict() documents)."""
    head = ["stage", "size", "format", "rows/lines", "zcf median s", "zcf CPU s", "reference median s", "ratio",
            "CPU ratio", "zcf peak RSS MB", "KB per line (calc)", "target", "met?"]
    if baseline:
        head.append("vs baseline")
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * 3 + ["---:"] * 8 + ["---"] * (len(head) - 11)) + "|"]
    for d in cases:
        z, r = d["zcf"], d["reference"]
        rows = "—" if d["rows"] is None else f"{d['rows']:,}"
        if d.get("pages"):
            per_page = f", {d['seconds_per_page']} s/page" if d.get("seconds_per_page") is not None else ""
            rows += f" ({d['pages']} pages{per_page})"
        zcf_s = "—" if not z["runs_s"] else (_fmt_s(z["median_s"]) if z["status"] == "ok" else f"**{z['status']}**")
        ref_s = "—" if r is None else (_fmt_s(r["median_s"]) if r["status"] == "ok" else f"**{r['status']}**")
        kb = "—" if d["kb_per_line"] is None else \
            f"{d['kb_per_line']:.2f}" + {True: " ✓", False: " ✗", None: " (not judged)"}[d.get("memory_met")]
        met = {True: "yes", False: "**no**", None: "—"}[d.get("met")]
        if d["note"] and not z["runs_s"]:
            met = d["note"]
        elif d["note"]:
            met += f" ({d['note']})"
        cpu = "—" if z.get("cpu_median_s") is None else _fmt_s(z["cpu_median_s"])
        cells = [d["stage"], d["size"], d["format"], rows, zcf_s, cpu, ref_s, "—" if d["ratio"] is None else f"{d['ratio']:.2f}",
                 "—" if d["cpu_ratio"] is None else f"{d['cpu_ratio']:.2f}",
                 "—" if z["peak_rss_mb"] is None else f"{z['peak_rss_mb']:.0f}", kb, d.get("target", ""), met]
        if baseline:
            old = baseline.get(f"{d['stage']}/{d['size']}/{d['format']}")
            cells.append(f"{(z['median_s'] - old) / old * 100:+.0f} %" if old and z["median_s"] else "")
        lines.append("| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    return "\n".join(lines)


def environment() -> dict:
    import duckdb
    import pyarrow

    zcf_version = subprocess.run(zcf("--version"), capture_output=True, text=True, cwd=ROOT,
                                 env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    return {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "python": platform.python_version(),
            "duckdb": duckdb.__version__, "pyarrow": pyarrow.__version__, "zcf": zcf_version, "commit": commit,
            "nproc": os.cpu_count(), "machine": platform.machine(), "load_average": os.getloadavg()}


EXPLANATION = ("Wall-clock medians of whole-process runs (interpreter start-up included, for zcf and the reference "
               "alike); peak RSS of each child from os.wait4; CPU ratio = user+system CPU seconds of zcf ÷ those of "
               "the reference (DuckDB uses both cores, which flatters zcf here) — less sensitive than wall time to "
               "other load on the machine. Targets: bench/targets.toml.")


def _run_line(env: dict, sizes: list[str]) -> str:
    load = env["load_average"][0], env.get("load_average_end", env["load_average"])[0]
    return (f"- {', '.join(sizes)}: {env['zcf']} ({env['commit']}), {env['date']}, Python {env['python']}, "
            f"DuckDB {env['duckdb']}, pyarrow {env['pyarrow']}, {env['nproc']} cores; load average {load[0]:.1f} at "
            f"start, {load[1]:.1f} at end")


def _header(env: dict, sizes: list[str] | None = None) -> str:
    return _run_line(env, sizes or []) + "\n\n" + EXPLANATION


def merge(files: list[Path], results: Path, save_baseline: bool) -> int:
    docs = [json.loads(f.read_text()) for f in files]
    cases = [c for d in docs for c in d["cases"]]
    doc = {**docs[0], "environment": docs[0]["environment"], "runs": [d["environment"] for d in docs],
           "sizes": list(dict.fromkeys(c["size"] for c in cases)), "cases": cases}
    results.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    baseline = _baseline()
    text = "\n".join(_run_line(d["environment"], d["sizes"]) for d in docs) + "\n\n" + EXPLANATION
    text += "\n\n" + table(cases, baseline)
    results.with_suffix(".md").write_text(text + "\n")
    print(text)
    if save_baseline:
        (HERE / "baseline.json").write_text(json.dumps({"runs": doc["runs"], "cases": cases}, indent=2,
                                                       ensure_ascii=False) + "\n")
    return 0


def _baseline() -> dict:
    path = HERE / "baseline.json"
    doc = json.loads(path.read_text()) if path.exists() else {}
    return {f"{c['stage']}/{c['size']}/{c['format']}": c["zcf"]["median_s"] for c in doc.get("cases", [])}


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that run_process kills its child
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S,M,R30K", help="comma-separated: XS, S, M, L, R30K (default S,M,R30K)")
    parser.add_argument("--stages", default=",".join(STAGES), help="comma-separated: " + ", ".join(STAGES))
    parser.add_argument("--formats", default="xlsx,csv,parquet,pdf", help="ingest xlsx/csv/parquet, report pdf/xlsx (xlsx is both)")
    parser.add_argument("--runs", type=int, help="runs per stage (default 3 at S/M/R30K, 1 at L)")
    parser.add_argument("--later-runs", type=int, help="runs of calc, check and report (default: --runs)")
    parser.add_argument("--merge", type=Path, nargs="+", metavar="RESULTS",
                        help="only merge results files of separate runs into --results (and its .md), then stop")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run before it is killed (default 1800)")
    parser.add_argument("--memory-limit-mb", type=int, default=0,
                        help="limit each child's data segment (RLIMIT_DATA): a run over it fails instead of "
                             "exhausting a shared machine (default: no limit)")
    parser.add_argument("--deadline", help="UTC time HH:MM: runs are cut short (reported as timeouts) at this time")
    parser.add_argument("--save-baseline", action="store_true", help="write these medians to bench/baseline.json")
    parser.add_argument("--results", type=Path, default=HERE / "results.json")
    args = parser.parse_args(argv)
    sizes = [s.strip().upper() for s in args.sizes.split(",") if s.strip()]
    stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = [s for s in sizes if s not in generate.SIZES] + [s for s in stages if s not in STAGES]
    if unknown:
        parser.error(f"unknown size or stage: {', '.join(unknown)}")
    targets = tomllib.loads((HERE / "targets.toml").read_text())
    if args.merge:
        return merge(args.merge, args.results, args.save_baseline)
    global MEMORY_LIMIT_MB, DEADLINE
    MEMORY_LIMIT_MB = args.memory_limit_mb
    if args.deadline:
        now = dt.datetime.now(dt.timezone.utc)
        hour, minute = map(int, args.deadline.split(":"))
        end = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        DEADLINE = (end if end > now else end + dt.timedelta(days=1)).timestamp()
    WORK.mkdir(parents=True, exist_ok=True)
    env = environment()
    cases: list[Case] = []
    for size in sizes:
        size_cases = bench_size(size, stages, formats, args.timeout, args.runs,
                                log=lambda m: print(f"[{time.strftime('%H:%M:%S')}] {m}", file=sys.stderr, flush=True),
                                later_runs=args.later_runs)
        peaks = {}
        for c in size_cases:
            if c.zcf.peak_rss_mb is not None:
                peaks[(c.size, c.stage)] = max(peaks.get((c.size, c.stage), 0), c.zcf.peak_rss_mb)
        for c in size_cases:
            judge(c, targets, peaks)
        cases += size_cases
    baseline = _baseline()
    env["load_average_end"] = os.getloadavg()
    documents = [c.to_dict() for c in cases]
    doc = {"environment": env, "sizes": sizes, "stages": stages, "timeout_s": args.timeout,
           "targets": targets, "peak_rss_method": "os.wait4 ru_maxrss of each child", "cases": documents}
    args.results.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    md = table(documents, baseline)
    header = _header(env, sizes)
    (args.results.with_suffix(".md")).write_text(header + "\n\n" + md + "\n")
    print(header + "\n\n" + md)
    if args.save_baseline:
        (HERE / "baseline.json").write_text(json.dumps({"environment": env, "cases": doc["cases"]}, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
