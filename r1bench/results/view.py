"""``r1bench view RUN_DIR``: one self-contained HTML page per lm-eval run, to browse in a browser.

The page needs no server, no CDN and no network (a Content-Security-Policy forbids every fetch):
it opens from disk on an offline cluster. Per task it shows the headline (pass@1 with its
bootstrap 95% CI, k, questions, truncated / no-answer / loop rates, tokens), the breakdowns and
plots of ``r1bench report`` (PNGs embedded as data URIs) and a sample browser: every question with
its k samples, verdict, extracted answer against the gold, rule, finish reason, tokens, the answer
shown and the reasoning folded. Filters (correct / wrong / truncated / looping / no answer) and a
search by question id. The records travel as one JSON blob rendered a page at a time, and a
sample's text is built only when it is opened, so a 500 x 64 run stays fast. Text per sample is
clipped to fit a size budget (the full text stays in the samples file).
GPQA outputs and questions are left out unless asked (GPQA text must not leak).
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import logging
import sys
from pathlib import Path
from typing import Any

import numpy as np

from r1bench.metrics import bootstrap_ci
from r1bench.registry import may_quote as task_may_quote
from r1bench.results.ingest import (
    RunFiles,
    TaskRun,
    find_runs,
    load_task_runs,
    model_info,
    task_kind,
    task_protocol,
)
from r1bench.results.report import (
    _GENERIC,
    BREAKDOWNS,
    _bar_plot,
    _curve_plot,
    _length_plot,
    breakdown,
    curve_ks,
    maj_curve,
    pass_curve,
)
from r1bench.results.schema import ResultsFileError, atomic_write_text

__all__ = ["SAMPLE_FIELDS", "SORT_JS", "CSS", "task_payload", "render_view", "write_views", "build_parser", "main"]

log = logging.getLogger(__name__)

# The order of a sample's fields in the embedded JSON (arrays, not objects: a 500 x 64 run has
# 32,000 samples and repeated keys would dominate the page size).
SAMPLE_FIELDS = ("index", "correct", "extracted", "rule", "finish_reason", "tokens", "truncated",
                 "looping", "reason", "answer", "reasoning", "clipped")
_QUESTION_KEYS = ("problem", "question", "Problem", "Question")
DEFAULT_MAX_MB = 40.0


def _clip(text: str, limit: int) -> tuple[str, int]:
    """``text`` cut to ``limit`` characters (a quarter from the head, the rest from the tail, where
    the answer is); returns the text and how many characters were left out."""
    if len(text) <= limit:
        return text, 0
    head = limit // 4
    tail = limit - head
    cut = len(text) - limit
    return text[:head] + f"\n[… {cut} characters left out of this page …]\n" + text[len(text) - tail:], cut


def _question_text(doc: dict[str, Any]) -> str:
    for key in _QUESTION_KEYS:
        if isinstance(doc.get(key), str):
            return doc[key]
    return ""


def _rate(values: list[bool]) -> float:
    return 100.0 * float(np.mean(values)) if values else 0.0


def task_payload(run: TaskRun, *, text_chars: int, quote_gpqa: bool = False) -> dict[str, Any]:
    """The browser's data for one task: headline numbers and every question with its samples."""
    docs = run.docs
    proto = task_protocol(run, strict=False)
    recs = [r for d in docs for r in d.records]
    p1 = [float(np.mean([bool(r["correct"]) for r in d.records])) for d in docs]
    lo, hi = bootstrap_ci(p1)
    n_min = min(len(d.records) for d in docs)
    quote = quote_gpqa or task_may_quote(run.task)
    questions = []
    for d in docs:
        samples = []
        for r in d.records:
            answer, cut_a = _clip(str(r.get("answer_text") or ""), text_chars) if quote else ("", 0)
            reasoning, cut_r = _clip(str(r.get("reasoning") or ""), text_chars) if quote else ("", 0)
            samples.append([int(r.get("sample_index", 0)), bool(r["correct"]), r.get("extracted"), r.get("rule"),
                            r.get("finish_reason"), int(r["completion_tokens"]), bool(r["truncated"]),
                            bool(r["loop_detected"]), str(r.get("reason") or ""), answer, reasoning,
                            cut_a + cut_r])
        gold = next((str(r["gold"]) for r in d.records if r.get("gold") not in (None, "")), d.target)
        qid = str(d.doc.get("id", d.doc_id))
        question = _clip(_question_text(d.doc), 4000)[0] if quote else ""
        questions.append([d.doc_id, qid, question, gold, samples])
    return {
        "task": run.task,
        "quoted": quote,
        "headline": {
            "pass@1": 100.0 * float(np.mean(p1)), "ci95": [100.0 * lo, 100.0 * hi],
            "k": proto["k"], "samples_per_question": n_min, "questions": len(docs), "samples": len(recs),
            "truncated": _rate([bool(r["truncated"]) for r in recs]),
            "no_answer": _rate([r.get("extracted") is None for r in recs]),
            "loop": _rate([bool(r["loop_detected"]) for r in recs]),
            "mean_tokens": float(np.mean([r["completion_tokens"] for r in recs])),
            "max_gen_toks": proto["max_gen_toks"],
        },
        "questions": questions,
    }


def _img(png: bytes, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="sortable"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _task_html(run: TaskRun, payload: dict[str, Any]) -> str:
    """Headline table, breakdowns and plots of one task (static HTML)."""
    h, task, docs = payload["headline"], run.task, run.docs
    kind = task_kind(task, docs)
    ks = curve_ks(h["samples_per_question"])
    passk, majk = pass_curve(docs, ks), maj_curve(docs, ks, kind)
    kk = ks[-1]
    parts = [f'<section class="task" id="task-{html.escape(task)}"><h2>{html.escape(task)}</h2>',
             _table(["pass@1 %", "95% CI", "k", "questions (n)", f"pass@{kk} %", f"maj@{kk} %", "truncated %",
                     "no answer %", "looping %", "mean tokens", "token cap"],
                    [[f"{h['pass@1']:.1f}", f"{h['ci95'][0]:.1f}–{h['ci95'][1]:.1f}", str(h["k"]),
                      str(h["questions"]), f"{passk[-1]:.1f}", f"{majk[-1]:.1f}", f"{h['truncated']:.1f}",
                      f"{h['no_answer']:.1f}", f"{h['loop']:.1f}", f"{h['mean_tokens']:.0f}",
                      str(h["max_gen_toks"] or "—")]])]
    if h["samples_per_question"] != h["k"]:
        parts.append(f'<p class="warn">{h["samples_per_question"]} samples per question, protocol k = {h["k"]}.</p>')
    fields = BREAKDOWNS.get(task) or tuple(f for f in _GENERIC if any(f in d.doc for d in docs))
    plots = []
    for f in fields:
        if not any(f in d.doc for d in docs):
            continue
        rows = breakdown(docs, f)
        parts.append(f"<h3>By {html.escape(f)}</h3>")
        parts.append(_table([f, "questions", "samples", "pass@1 %", "truncated %", "mean tokens"],
                            [[r["value"], str(r["questions"]), str(r["samples"]), f"{r['pass@1']:.1f}",
                              f"{r['truncated']:.1f}", f"{r['tokens']:.0f}"] for r in rows]))
        plots.append(_img(_bar_plot(f"{task}: pass@1 by {f}", rows), f"pass@1 by {f}"))
    tokens = [int(r["completion_tokens"]) for d in docs for r in d.records]
    plots.append(_img(_length_plot(task, tokens, h["max_gen_toks"]), "completion lengths"))
    plots.append(_img(_curve_plot(task, ks, passk, majk), "pass@k and maj@k"))
    parts.append('<h3>Plots</h3><div class="plots">' + "".join(plots) + "</div>")
    parts.append(_table(["k", *map(str, ks)], [["pass@k %", *(f"{v:.1f}" for v in passk)],
                                               ["maj@k %", *(f"{v:.1f}" for v in majk)]]))
    if not payload["quoted"]:
        parts.append("<p><em>GPQA questions and outputs are not shown (they must not leak); "
                     "use --quote-gpqa for a private page.</em></p>")
    return "".join(parts) + "</section>"


def _json_for_script(data: Any) -> str:
    """JSON safe inside a <script> element: no ``</script>``, ``<!--`` or U+2028 can end it early."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _text_budget(runs: list[TaskRun], max_mb: float) -> int:
    """Characters per text field so that all samples' answer + reasoning fit ``max_mb``."""
    n = sum(len(d.records) for r in runs for d in r.docs) or 1
    return max(400, min(200_000, int(max_mb * 1_000_000 / n / 2)))


CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:0 1em;color:#222}
h1{font-size:1.4em}h2{border-bottom:1px solid #ccc;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:2px 8px;text-align:right}
th{background:#f3f3f3;cursor:pointer;user-select:none}td:first-child,th:first-child{text-align:left}
.plots img{max-width:48%;margin:4px;border:1px solid #eee;vertical-align:top}
.warn{color:#a60}.badge{display:inline-block;padding:0 6px;border-radius:3px;font-size:.85em;margin-left:4px}
.ok{background:#d8f5d8}.bad{background:#f8d8d8}.trunc{background:#fde8c8}.loop{background:#e6d8f8}.none{background:#e4e4e4}
#browser .bar{position:sticky;top:0;background:#fff;padding:.5em 0;border-bottom:1px solid #ddd;z-index:1}
#browser button{margin:2px}#browser button.on{font-weight:bold;background:#cde}
details.q{border-bottom:1px solid #eee;padding:2px 0}details.q>summary{cursor:pointer}
details.s{margin:4px 0 4px 1.5em;border-left:3px solid #ccc;padding-left:6px}
pre{white-space:pre-wrap;word-break:break-word;background:#f8f8f8;padding:6px;max-height:40em;overflow:auto}
code{background:#f0f0f0;padding:0 3px}mark{background:#ff6}
"""

# The sample browser. Model text is untrusted: it is only ever assigned with textContent.
_JS = r"""
(function(){
"use strict";
var DATA=JSON.parse(document.getElementById("r1-data").textContent);
var F={};DATA.fields.forEach(function(n,i){F[n]=i;});
var PAGE=50;
var st={task:0,filter:"all",q:"",page:0};
var PRED={
 all:function(){return true;},
 correct:function(s){return s[F.correct];},
 wrong:function(s){return !s[F.correct];},
 truncated:function(s){return s[F.truncated];},
 looping:function(s){return s[F.looping];},
 no_answer:function(s){return s[F.extracted]===null;}
};
var LABEL={all:"all",correct:"correct",wrong:"wrong",truncated:"truncated",looping:"looping",no_answer:"no answer"};
function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;if(text!==undefined&&text!==null)e.textContent=String(text);return e;}
var root=document.getElementById("browser");
var bar=el("div","bar");root.appendChild(bar);
var taskSel=el("select");taskSel.id="r1-task";
DATA.tasks.forEach(function(t,i){var o=el("option",null,t.task);o.value=i;taskSel.appendChild(o);});
bar.appendChild(el("span",null,"Task "));bar.appendChild(taskSel);
var fbox=el("span");fbox.id="r1-filters";bar.appendChild(fbox);
var search=el("input");search.id="r1-search";search.type="search";search.placeholder="question id";bar.appendChild(search);
var count=el("div");count.id="r1-count";bar.appendChild(count);
var nav=el("div");bar.appendChild(nav);
var prev=el("button",null,"◀ prev");prev.id="r1-prev";var next=el("button",null,"next ▶");next.id="r1-next";
var pageInfo=el("span");pageInfo.id="r1-page";nav.appendChild(prev);nav.appendChild(pageInfo);nav.appendChild(next);
var list=el("div");list.id="r1-list";root.appendChild(list);
function task(){return DATA.tasks[st.task];}
function matches(q){
 if(st.q){var s=st.q.toLowerCase();if(String(q[0])!==st.q&&String(q[1]).toLowerCase().indexOf(s)<0)return false;}
 return q[4].some(PRED[st.filter]);
}
function buttons(){
 fbox.textContent="";
 Object.keys(PRED).forEach(function(f){
  var n=0;task().questions.forEach(function(q){q[4].forEach(function(s){if(PRED[f](s))n++;});});
  var b=el("button",f===st.filter?"on":"",LABEL[f]+" ("+n+")");b.dataset.filter=f;
  b.addEventListener("click",function(){st.filter=f;st.page=0;buttons();render();});
  fbox.appendChild(b);
 });
}
function badges(s,box){
 box.appendChild(el("span","badge "+(s[F.correct]?"ok":"bad"),s[F.correct]?"correct":"wrong"));
 if(s[F.truncated])box.appendChild(el("span","badge trunc","truncated"));
 if(s[F.looping])box.appendChild(el("span","badge loop","looping"));
 if(s[F.extracted]===null)box.appendChild(el("span","badge none","no answer"));
}
function sampleView(q,s){
 var d=el("details","s");d.dataset.sample=s[F.index];
 var sum=el("summary");sum.appendChild(el("b",null,"sample "+s[F.index]+" "));badges(s,sum);
 sum.appendChild(el("span",null," extracted "));sum.appendChild(el("code",null,s[F.extracted]===null?"—":s[F.extracted]));
 sum.appendChild(el("span",null," gold "));sum.appendChild(el("code",null,q[3]));
 sum.appendChild(el("span",null," · rule "+(s[F.rule]||"—")+" · finish "+(s[F.finish_reason]||"—")+" · "+s[F.tokens]+" tokens"));
 d.appendChild(sum);
 var built=false;
 d.addEventListener("toggle",function(){
  if(!d.open||built)return;built=true;
  d.appendChild(el("div",null,"grader: "+s[F.reason]));
  if(!task().quoted){d.appendChild(el("em",null,"text not shown for this task"));return;}
  d.appendChild(el("div",null,"answer:"));d.appendChild(el("pre","answer",s[F.answer]||"(empty)"));
  var r=el("details","reasoning");r.appendChild(el("summary",null,"reasoning ("+s[F.reasoning].length+" characters"+(s[F.clipped]?", "+s[F.clipped]+" left out":"")+")"));
  var pre=el("pre");r.appendChild(pre);
  r.addEventListener("toggle",function(){if(r.open&&!pre.textContent)pre.textContent=s[F.reasoning]||"(none)";});
  d.appendChild(r);
 });
 return d;
}
function questionView(q){
 var d=el("details","q");d.dataset.doc=q[0];
 var sum=el("summary");var ok=q[4].filter(PRED.correct).length;
 sum.appendChild(el("b",null,"#"+q[0]+" "));sum.appendChild(el("span",null,q[1]+" · "+ok+"/"+q[4].length+" correct · gold "));
 sum.appendChild(el("code",null,q[3]));
 var m=q[4].filter(PRED[st.filter]).length;if(st.filter!=="all")sum.appendChild(el("span","badge none",m+" "+LABEL[st.filter]));
 d.appendChild(sum);
 var built=false;
 d.addEventListener("toggle",function(){
  if(!d.open||built)return;built=true;
  if(q[2])d.appendChild(el("pre","question",q[2]));
  q[4].forEach(function(s){if(PRED[st.filter](s))d.appendChild(sampleView(q,s));});
 });
 return d;
}
function render(){
 var qs=task().questions.filter(matches);
 var ns=0;qs.forEach(function(q){ns+=q[4].filter(PRED[st.filter]).length;});
 var all=task().questions.length,alls=0;task().questions.forEach(function(q){alls+=q[4].length;});
 count.textContent=qs.length+" of "+all+" questions, "+ns+" of "+alls+" samples ("+LABEL[st.filter]+(st.q?", id \u201c"+st.q+"\u201d":"")+")";
 count.dataset.questions=qs.length;count.dataset.samples=ns;
 var pages=Math.max(1,Math.ceil(qs.length/PAGE));if(st.page>=pages)st.page=pages-1;
 pageInfo.textContent=" page "+(st.page+1)+" of "+pages+" ";
 prev.disabled=st.page===0;next.disabled=st.page>=pages-1;
 list.textContent="";
 qs.slice(st.page*PAGE,(st.page+1)*PAGE).forEach(function(q){list.appendChild(questionView(q));});
}
taskSel.addEventListener("change",function(){st.task=+taskSel.value;st.page=0;buttons();render();});
search.addEventListener("input",function(){st.q=search.value.trim();st.page=0;render();});
prev.addEventListener("click",function(){st.page--;render();});
next.addEventListener("click",function(){st.page++;render();});
buttons();render();
document.body.dataset.ready="1";
})();
"""

# Click a column header to sort its table (numbers numerically, blanks last); shared with the
# leaderboard page.
SORT_JS = r"""
document.querySelectorAll("table.sortable th").forEach(function(th){
 th.addEventListener("click",function(){
  var tb=th.closest("table").tBodies[0],i=th.cellIndex,asc=th.dataset.dir!=="asc";th.dataset.dir=asc?"asc":"desc";
  var rows=Array.prototype.slice.call(tb.rows);
  function key(r){var t=r.cells[i].textContent.trim();var v=parseFloat(t.replace(/^[~#]/,""));
   return (/^[~#]?-?[0-9]/.test(t)&&!isNaN(v))?[0,v,""]:(t===""||t==="\u2014"?[2,0,""]:[1,0,t.toLowerCase()]);}
  function cmp(a,b){var x=key(a),y=key(b);if(x[0]!==y[0])return x[0]-y[0];
   var c=x[0]===0?x[1]-y[1]:(x[2]<y[2]?-1:x[2]>y[2]?1:0);return asc?c:-c;}
  rows.sort(cmp);rows.forEach(function(r){tb.appendChild(r);});
 });
});
"""

_CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
        "base-uri 'none'; form-action 'none'")


def render_view(files: RunFiles, *, tasks: list[str] | None = None, max_mb: float = DEFAULT_MAX_MB,
                quote_gpqa: bool = False) -> str:
    """The HTML page of one run (one lm-eval results file and its samples files)."""
    runs = [r for r in load_task_runs(files.results_path, tasks=tasks) if r.docs]
    if not runs:
        raise ResultsFileError(files.results_path, "no task with a samples file found (run lm-eval with --log_samples)")
    text_chars = _text_budget(runs, max_mb)
    info = model_info(runs[0].results)
    m = info["model"]
    title = m["name"] + (f"@{m['revision']}" if m["revision"] else "")
    payloads = [task_payload(r, text_chars=text_chars, quote_gpqa=quote_gpqa) for r in runs]
    headline_rows = [[p["task"], f"{p['headline']['pass@1']:.1f} ± {(p['headline']['ci95'][1] - p['headline']['ci95'][0]) / 2:.1f}",
                      str(p["headline"]["k"]), str(p["headline"]["questions"]), f"{p['headline']['truncated']:.1f}",
                      f"{p['headline']['no_answer']:.1f}", f"{p['headline']['loop']:.1f}",
                      f"{p['headline']['mean_tokens']:.0f}"] for p in payloads]
    data = {"fields": list(SAMPLE_FIELDS), "text_chars": text_chars,
            "tasks": [{k: p[k] for k in ("task", "quoted", "questions")} for p in payloads]}
    body = [
        f"<h1>r1bench run: {html.escape(title)}</h1>",
        f"<p>Backend <code>{html.escape(str(info['backend']['name']))}</code> "
        f"(<code>{html.escape(str(info['backend']['model_args']))}</code>); dtype {html.escape(str(info['dtype']))}; "
        f"lm-eval {html.escape(str(info['backend']['lm_eval_version']))}. Results file "
        f"<code>{html.escape(files.results_path.name)}</code>.</p>",
        "<h2>Headline</h2>",
        _table(["task", "pass@1 % ± 95% CI", "k", "questions (n)", "truncated %", "no answer %", "looping %",
                "mean tokens"], headline_rows),
        '<p><a href="#browser">Sample browser</a> · ' + " · ".join(
            f'<a href="#task-{html.escape(p["task"])}">{html.escape(p["task"])}</a>' for p in payloads) + "</p>",
        *(_task_html(r, p) for r, p in zip(runs, payloads)),
        '<h2>Samples</h2><p>Click a question to see its samples, a sample to see its answer and grader note, '
        f'"reasoning" to unfold it. Text longer than {text_chars:,} characters per field is clipped here '
        "(the samples file has all of it).</p>",
        '<div id="browser"></div>',
    ]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
            f"<title>r1bench: {html.escape(title)}</title><style>{CSS}</style></head><body>"
            + "\n".join(body)
            + f'\n<script type="application/json" id="r1-data">{_json_for_script(data)}</script>'
            + f"\n<script>{_JS}{SORT_JS}</script>\n</body></html>\n")


def write_views(path: str | Path, out: str | Path | None = None, **kwargs: Any) -> list[Path]:
    """Write one page per run found under ``path`` (``view_<timestamp>.html`` beside each results
    file, or ``out`` when there is exactly one run); return the pages written."""
    runs = find_runs(path)
    if out is not None and len(runs) > 1:
        raise ValueError(f"{path} holds {len(runs)} runs; --out needs exactly one (or omit it)")
    written = []
    for files in runs:
        try:
            page = render_view(files, **kwargs)
        except ResultsFileError as exc:
            if len(runs) > 1 and "no task with a samples file" in str(exc):
                log.warning("skipped %s: no samples (run with --log_samples)", files.results_path)
                continue
            raise
        dest = Path(out) if out is not None else files.results_path.parent / f"view_{files.timestamp}.html"
        atomic_write_text(dest, page)
        written.append(dest)
    if not written:
        raise ResultsFileError(path, "no run with samples found (run lm-eval with --log_samples)")
    return written


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of ``r1bench view``."""
    p = argparse.ArgumentParser(
        prog="r1bench view",
        description="Write one self-contained HTML page per run (no server, no network): headline per task, "
        "breakdowns and plots, and a sample browser with filters and search.",
        epilog="example: r1bench view runs/SmolLM2-135M-Instruct/  (then open the printed file in a browser)",
    )
    p.add_argument("path", help="an lm-eval --output_path folder (searched recursively) or one results_*.json")
    p.add_argument("--out", help="the page's path (only when the folder holds one run); default: "
                   "view_<timestamp>.html beside each results file")
    p.add_argument("--task", action="append", help="only this task (repeatable)")
    p.add_argument("--max-mb", "--max_mb", type=float, default=DEFAULT_MAX_MB,
                   help=f"size budget for sample text; longer texts are clipped (default {DEFAULT_MAX_MB:g})")
    p.add_argument("--quote-gpqa", "--quote_gpqa", action="store_true",
                   help="also show GPQA questions and outputs (keep such pages private)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``r1bench view``; returns the exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        pages = write_views(args.path, args.out, tasks=args.task, max_mb=args.max_mb, quote_gpqa=args.quote_gpqa)
    except (ResultsFileError, FileNotFoundError, ValueError) as exc:
        print(f"r1bench view: error: {exc}", file=sys.stderr)
        return 1
    for page in pages:
        print(f"wrote {page}  (open file://{page.resolve()} in a browser)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
