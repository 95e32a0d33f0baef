"""Report text: reading report documents and finding the figures they state.

documents.py    a report file (.txt, .docx, .html, .pdf) read into plain text
mentions.py     the numbers a text mentions; relations.py what they claim about each other
check.py        `lawreport check`: a report's own arithmetic, without ledgers (report_page.py: its page)
scan.py         every number of the report text, so none escapes the figure register
wording.py      what a figure's wording promises about the number behind it
"""
