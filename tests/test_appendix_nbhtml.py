"""appendix/nbhtml.py writes the same body as nbconvert (basic template, BeautifulSoup round trip)
for notebooks of the plain shape, and declines (None) everything else, which then goes to nbconvert.

Notebooks are built by hand: outputs made with the appendix's own HTML builders from random texts
(quotes, ampersands, angle brackets, whitespace-only texts, <pre> blocks, images, class lists with
extra spaces), cells of every kind in every order. No kernel is started.
"""

from __future__ import annotations

import random

import nbformat
import pytest

from lawreport.appendix import export, nbhtml
from lawreport.appendix.html import el, esc, table, text_el
from lawreport.appendix.scan import notebook_json

TEXTS = ["", " ", "  ", "\n", " \n\t ", "\r", "\x0c", "张三 & 李四", 'say "hi"', "it's", "<b>not a tag</b>", "a > b"]
TEXTS += ["x\ny", "  lead", "trail  ", "&amp; already", "«»", "a\u3000b", "1 < 2 & 3 > 2", "'\"'"]


def random_fragment(rng: random.Random, depth: int = 0) -> str:
    """HTML as the appendix's builders write it (every text escaped)."""
    choice = rng.randrange(9 if depth < 4 else 3)
    text = rng.choice(TEXTS)
    if choice == 0:
        return esc(text)
    if choice == 1:
        return text_el(rng.choice(["span", "td", "p", "code", "small"]), text, class_=rng.choice([None, "a", " a  b "]))
    if choice == 2:
        return f'<img src="data:image/png;base64,iVBORw0KGgo=" alt="{esc(text)}" width="9" height="4">'
    if choice == 3:
        return el(
            "pre", esc(rng.choice(TEXTS) + "\n" + rng.choice(TEXTS)), class_="rows-text", style="overflow-x: auto"
        )
    if choice == 4:
        rows = [[rng.choice(TEXTS) for _ in range(3)] for _ in range(rng.randrange(3))]
        return table(["甲", "乙", "丙"], rows, caption=rng.choice([None, text]), class_="rows")
    if choice == 5:
        return el("a", esc(text), href=f"#card-{rng.randrange(9)}", title=text, data_figures="a b", aria_label=text)
    inner = "".join(random_fragment(rng, depth + 1) for _ in range(rng.randrange(4)))
    name = rng.choice(["section", "div", "article", "details", "ul", "dl", "figure"])
    return el(name, inner, id=rng.choice([None, f"x{depth}"]), class_=rng.choice([None, "card"]), data_status=text)


def html_output(html: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("display_data", data={"text/html": html, "text/plain": "<HTML object>"})


def code_cell(outputs: list, tags: list[str] | None = None) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("display(HTML(section(app)))")
    cell.outputs = outputs
    if tags:
        cell.metadata["tags"] = tags
    return cell


def write(tmp_path, cells: list, name: str = "nb.ipynb"):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    path = tmp_path / name
    nbformat.write(notebook, str(path))
    return path


def same_as_nbconvert(path) -> str | None:
    fast = nbhtml.body(notebook_json(path))
    slow = export.nbconvert_html(path)
    if fast is not None:
        assert fast == slow
    assert export.notebook_html(path) == slow
    return fast


@pytest.mark.parametrize("seed", range(12))
def test_plain_notebooks_are_written_as_nbconvert_writes_them(tmp_path, seed):
    rng = random.Random(seed)
    cells = [nbformat.v4.new_markdown_cell("# 附录")] if rng.random() < 0.7 else []
    cells.append(code_cell([], tags=["parameters"]))
    for _ in range(rng.randrange(1, 6)):
        if rng.random() < 0.2:
            cells.append(nbformat.v4.new_markdown_cell("## 一节"))
        if rng.random() < 0.1:
            cells.append(nbformat.v4.new_raw_cell("raw"))
        outputs = [html_output(random_fragment(rng)) for _ in range(rng.choice([0, 1, 1, 1, 2]))]
        cells.append(code_cell(outputs, tags=rng.choice([None, ["a"], ["a", "b-c"]])))
    if rng.random() < 0.5:
        cells.append(nbformat.v4.new_markdown_cell("完"))
    assert same_as_nbconvert(write(tmp_path, cells)) is not None


@pytest.mark.parametrize(
    "html",
    [
        "",
        " ",
        "\n\n",
        "<p>x</p>\n<p>y</p>",
        '<p title="a &quot;b&quot;">x</p>',
        '<p title="a &#x27;b&#x27; &quot;c&quot;">x</p>',
        '<p class="  ">x</p><p class="">y</p>',
        "<pre>  </pre><pre>\n</pre><p> </p>",
        "<br><hr><p>a<br>b</p>",
        "<p>&gt;&lt;&amp;&quot;&#x27;></p>",
    ],
)
def test_edge_cases_of_the_round_trip(tmp_path, html):
    path = write(tmp_path, [code_cell([html_output(html)])])
    assert same_as_nbconvert(path) is not None


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        "<style>p{}</style>",
        "<p>unclosed",
        "<p>a</div>",
        "<!-- comment --><p>x</p>",
        "<p>&nbsp;</p>",
        "<p>&#39;</p>",
        "<P>upper</P>",
        "<p title=x>unquoted</p>",
        '<p title="a" title="b">dup</p>',
        '<a rel="x  y">rel</a>',
        "<img src=x />",
        "<textarea>  </textarea>",
        "<custom-tag>x</custom-tag>",
        "1 < 2",
    ],
)
def test_other_html_goes_to_nbconvert(tmp_path, html):
    path = write(tmp_path, [code_cell([html_output(html)])])
    assert same_as_nbconvert(path) is None


def test_other_outputs_and_cells_go_to_nbconvert(tmp_path):
    stream = code_cell([nbformat.v4.new_output("stream", name="stdout", text="完成 12 项\n")])
    png = code_cell([nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="})])
    result = code_cell([nbformat.v4.new_output("execute_result", data={"text/html": "<p>x</p>"}, execution_count=1)])
    for cells in ([stream], [png], [result], [nbformat.v4.new_markdown_cell("only markdown")]):
        assert same_as_nbconvert(write(tmp_path, cells)) is None


def test_the_fast_path_knows_beautifulsoup_s_rules():
    from bs4 import BeautifulSoup
    from bs4.builder import HTMLParserTreeBuilder

    builder = HTMLParserTreeBuilder()
    assert nbhtml.VOID == nbhtml.ELEMENTS & set(builder.empty_element_tags)
    listed = set().union(*builder.cdata_list_attributes.values()) - {"class"}
    assert listed <= nbhtml.LIST_ATTRIBUTES
    assert builder.preserve_whitespace_tags & nbhtml.ELEMENTS == {"pre"}
    assert not set(builder.string_containers) & nbhtml.ELEMENTS
    assert nbhtml.ASCII_SPACES == BeautifulSoup.ASCII_SPACES


def test_the_real_appendix_shapes(tmp_path):
    """The appendix notebook's own cells: parameters, injected parameters, imports, one display per
    section, with papermill's metadata."""
    rng = random.Random(5)
    cells = [nbformat.v4.new_markdown_cell("# 第四步：附录")]
    cells += [code_cell([], ["parameters"]), code_cell([], ["injected-parameters"]), code_cell([])]
    for _ in range(7):
        cells += [nbformat.v4.new_markdown_cell("## 节"), code_cell([html_output(random_fragment(rng))])]
    for cell in cells:
        cell.metadata["papermill"] = {"duration": 0.1, "status": "completed"}
    assert same_as_nbconvert(write(tmp_path, cells)) is not None


@pytest.mark.parametrize("seed", range(4))
def test_the_notebook_kept_as_written_reads_as_the_file_does(tmp_path, seed):
    """scan.remember_notebook: the pipeline keeps papermill's notebook object, just written, for the scrub and
    the export, instead of reading the file back (multi-line strings stay one string where the file has lines).
    What they make of it is what they make of the file: the body, the cell timings, the scan's findings."""
    import papermill.iorw

    from lawreport.appendix import scan
    from lawreport.run.pipeline import cell_seconds

    rng = random.Random(seed)
    cells = [nbformat.v4.new_markdown_cell("# 附录\n\n第二行")]
    for _ in range(rng.randrange(2, 6)):
        html = "\n".join(random_fragment(rng) for _ in range(rng.randrange(1, 4))) + "\n<p>张三丰 13812345678</p>"
        cell = code_cell([html_output(html)])
        cell.source = "x = 1\ndisplay(HTML(section(app)))\n# 李四光"
        cell.metadata["papermill"] = {"duration": rng.random(), "status": "completed"}
        cells.append(cell)
    # parameters in the order papermill gives them (the file has them sorted), one of them with a phone number
    parameters = {"year": 2025, "raw_root": "data/13812345678", "build_root": "build"}
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={"papermill": {"parameters": parameters}})
    path = tmp_path / "90_appendix.internal.ipynb"
    papermill.iorw.write_ipynb(notebook, str(path))  # as papermill writes its result
    values = {"张三丰", "李四光"}

    def what_is_made() -> tuple:
        read = scan.notebook_json(path)
        found = [f.message() for _, _, f in scan._notebook_findings(read, scan._prefix_index(values))]
        return export.notebook_html(path), cell_seconds(path, read), found

    scan.forget_notebook(path)
    from_file = what_is_made()
    scan.remember_notebook(path, notebook)
    assert scan.notebook_json(path) is notebook
    assert what_is_made() == from_file
    assert from_file[2] and from_file[0]  # something was found and rendered: the comparison compares something
    path.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")  # the file changed since: read again
    assert scan.notebook_json(path) is not notebook
