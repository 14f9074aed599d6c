"""The run page of ``r1bench view`` and results/LEADERBOARD.html, exercised in headless Chromium.

Expected counts come from the fixture's samples files read here directly (json + the saved
``correct`` flags), not from the page's code. Without Chromium these tests fail with what to do.
"""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest
from browser import ARTIFACTS, run_page
from results_fixture import FIXTURE

from r1bench.results.view import write_views

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parent.parent


def _fixture_counts(task: str) -> dict[str, int]:
    """Questions and samples per verdict in the fixture's samples file for ``task``."""
    path = next(FIXTURE.rglob(f"samples_{task}_*.jsonl"))
    counts = {"questions": 0, "samples": 0, "correct": 0, "wrong": 0, "wrong_questions": 0}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        flags = [ast.literal_eval(s)["correct"] for s in row["filtered_resps"][0]]
        counts["questions"] += 1
        counts["samples"] += len(flags)
        counts["correct"] += sum(flags)
        counts["wrong"] += len(flags) - sum(flags)
        counts["wrong_questions"] += (not all(flags))
    return counts


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("view")
    shutil.copytree(FIXTURE, out / "run")
    (written,) = write_views(out / "run")
    return written


DRIVER = r"""
(function(){
var out={ready:document.body.dataset.ready||null};
function count(){var c=document.getElementById("r1-count");return [+c.dataset.questions,+c.dataset.samples,c.textContent];}
function done(){var p=document.createElement("pre");p.id="test-result";p.textContent=JSON.stringify(out);document.body.appendChild(p);}
var sel=document.getElementById("r1-task");
sel.value=String(Array.prototype.map.call(sel.options,function(o){return o.textContent;}).indexOf("r1_math500"));
sel.dispatchEvent(new Event("change"));
out.all=count();
document.querySelector('button[data-filter="wrong"]').click();out.wrong=count();
document.querySelector('button[data-filter="correct"]').click();out.correct=count();
document.querySelector('button[data-filter="all"]').click();
var s=document.getElementById("r1-search");s.value="test/algebra/0.json";s.dispatchEvent(new Event("input"));out.search=count();
s.value="";s.dispatchEvent(new Event("input"));
var q=document.querySelector("#r1-list details.q");out.first_doc=q.dataset.doc;q.open=true;
setTimeout(function(){
 var smp=q.querySelector("details.s");out.samples_listed=q.querySelectorAll("details.s").length;smp.open=true;
 setTimeout(function(){
  var a=smp.querySelector("pre.answer");out.answer=a?a.textContent:null;
  var r=smp.querySelector("details.reasoning");r.open=true;
  setTimeout(function(){out.reasoning=r.querySelector("pre").textContent;
   out.images=Array.prototype.map.call(document.images,function(i){return i.complete&&i.naturalWidth>0;});
   done();},50);
 },50);
},50);
})();
"""


def test_view_page_filters_search_and_sample(page: Path, tmp_path: Path) -> None:
    result, requests = run_page(page, DRIVER, tmp_path, screenshot=ARTIFACTS / "view_page.png")
    expected = _fixture_counts("r1_math500")
    assert result["ready"] == "1"
    assert result["all"][:2] == [expected["questions"], expected["samples"]]
    assert result["wrong"][:2] == [expected["wrong_questions"], expected["wrong"]]
    assert result["correct"][1] == expected["correct"]
    assert result["wrong"][2] != result["all"][2]  # the text shown changed with the filter
    assert result["search"][:2] == [1, 4]  # one question id, its 4 samples
    assert result["first_doc"] == "0"
    assert result["samples_listed"] == 4
    assert result["answer"] == "The answer is $\\boxed{5}$."
    assert result["reasoning"] == "Compute carefully."
    assert result["images"] and all(result["images"])  # embedded plots decoded
    assert requests == []
    assert (ARTIFACTS / "view_page.png").stat().st_size > 10_000


def test_page_requests_sees_a_network_fetch(tmp_path: Path) -> None:
    """Control: the net-log check does see a request a page makes (so an empty list means none)."""
    page = tmp_path / "net.html"
    page.write_text('<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/x.png"></body></html>')
    result, requests = run_page(page, 'var p=document.createElement("pre");p.id="test-result";'
                                      'p.textContent="{}";document.body.appendChild(p);', tmp_path, budget_ms=2000)
    assert requests == ["http://127.0.0.1:9/x.png"]


LEADERBOARD_DRIVER = r"""
window.addEventListener("load",function(){
var out={};var t,i=-1;
function heads(x){return Array.prototype.map.call(x.tHead.rows[0].cells,function(c){return c.textContent;});}
document.querySelectorAll("table.sortable").forEach(function(x){if(!t&&heads(x).indexOf("pass@1 %")>=0&&x.tBodies[0].rows.length>2){t=x;i=heads(x).indexOf("pass@1 %");}});
function col(i){return Array.prototype.map.call(t.tBodies[0].rows,function(r){return r.cells[i].textContent;});}
var th=t.tHead.rows[0].cells;
out.before=col(i);th[i].click();out.asc=col(i);th[i].click();out.desc=col(i);
out.images=Array.prototype.map.call(document.images,function(im){return im.complete&&im.naturalWidth>0;});
var p=document.createElement("pre");p.id="test-result";p.textContent=JSON.stringify(out);document.body.appendChild(p);
});
"""


def test_leaderboard_html_sorts_by_score_and_shows_plots(tmp_path: Path) -> None:
    shutil.copy(REPO / "results" / "LEADERBOARD.html", tmp_path / "LEADERBOARD.html")
    shutil.copytree(REPO / "results" / "plots", tmp_path / "plots")
    result, requests = run_page(tmp_path / "LEADERBOARD.html", LEADERBOARD_DRIVER, tmp_path,
                                screenshot=ARTIFACTS / "leaderboard.png")
    assert len(result["before"]) > 1
    values = [float(v) if v != "—" else None for v in result["asc"]]
    numbers = [v for v in values if v is not None]
    assert numbers == sorted(numbers) and values == numbers + [None] * (len(values) - len(numbers))
    assert sorted(result["asc"]) == sorted(result["before"])
    desc = [float(v) for v in result["desc"] if v != "—"]
    assert desc == sorted(numbers, reverse=True)
    assert result["images"] and all(result["images"])
    assert requests == []
