"""Problems found in raw ledgers: stable codes, Chinese messages with the English term.

Every problem names file, sheet, row, column and value. File-level problems stop the run
(`LedgerFileError`); row-level problems send the row to quarantine; notices are informational.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Level = Literal["file", "row", "notice"]

# code -> (Chinese label, English term). Codes are stable: tests and analysts rely on them.
CODES: dict[str, tuple[str, str]] = {
    # File-level faults: the run stops.
    "F001": ("台账文件缺失", "missing ledger file"),
    "F002": ("文件为空", "empty file"),
    "F003": ("xlsx 文件损坏或不完整", "corrupt or truncated xlsx"),
    "F004": ("文件扩展名与实际格式不符", "file type does not match its extension"),
    "F005": ("xlsx 文件已加密(设有密码)", "password-protected xlsx"),
    "F006": ("xlsx 文件异常(实体炸弹或解压后过大)", "xlsx with XML entities or oversized content"),
    "F007": ("无法确定文本编码", "undecidable text encoding"),
    "F008": ("找不到台账工作表", "ledger sheet not found (renamed?)"),
    "F009": ("台账工作表被隐藏", "ledger sheet is hidden"),
    "F010": ("存在名称相近的工作表，无法确定使用哪一个", "several sheets with similar names"),
    "F011": ("找不到表头行", "header row not found"),
    "F012": ("缺少必需列", "required column missing"),
    "F013": ("列名重复", "duplicate column name"),
    "F014": ("数据区存在合并单元格且该列无填充规则", "merged cells in the data area"),
    "F015": ("缺少清单文件 MANIFEST.yaml", "manifest missing"),
    "F016": ("未配置脱敏密钥", "pseudonymisation key not configured"),
    "F017": ("清单与参数不符", "manifest does not match the run parameters"),
    "F018": ("清单格式错误(类型不对或未知项)", "malformed manifest: wrong type or unknown key"),
    "F019": ("脱敏密钥无效(为空、空白或过短)", "pseudonymisation key empty, blank or too short"),
    "F020": ("脱敏密钥文件无法读取", "pseudonymisation key file unreadable"),
    # Row-level faults: the row goes to quarantine.
    "R101": ("日期无法解析", "unparseable date"),
    "R102": ("日期不存在", "impossible date"),
    "R103": ("日期不在报告年度内", "date outside the report year"),
    "R104": ("数值无法解析", "unparseable number"),
    "R105": ("数值为负", "negative amount or count"),
    "R106": ("数值超出合理范围", "absurd amount or count"),
    "R107": ("必填项为空", "required value missing"),
    "R108": ("类别不在取值范围内", "category outside the vocabulary"),
    "R109": ("编号重复且内容不同", "duplicate id with different content"),
    "R110": ("身份证号格式错误", "malformed ID number"),
    "R111": ("身份证号以数字存储，末位已丢失", "ID number stored as a number (digits lost)"),
    "R112": ("身份证号校验位错误", "ID number check digit wrong"),
    "R113": ("身份证号为15位旧号码", "15-digit legacy ID number"),
    "R114": ("身份证号出生日期无效", "ID number birth date invalid or in the future"),
    "R115": ("电话号码格式错误", "malformed phone number"),
    "R116": ("是否标记无法识别", "unrecognised yes/no flag"),
    "R117": ("办结(结案)日期早于受理(立案)日期", "closing date before receiving date"),
    "R118": ("中文数字需人工确认", "number written in Chinese numerals"),
    "R119": ("公式单元格没有缓存值", "formula cell without a cached value"),
    "R120": ("单元格为 Excel 错误值", "Excel error value (#N/A, #DIV/0!, #REF! …)"),
    # Notices: counted and reported, the run goes on.
    "N201": ("删除空行", "blank row dropped"),
    "N202": ("删除表尾行(填表人/审核人/合计)", "footer row dropped"),
    "N203": ("删除完全重复的行", "exact duplicate row dropped"),
    "N204": ("忽略未知列(未进入输出)", "unexpected column ignored"),
    "N205": ("文件与清单哈希不符", "file hash differs from the manifest"),
    "N206": ("删除不可见字符", "invisible characters removed"),
    "N207": ("非个人信息列中发现个人信息，已遮蔽", "personal data in a non-personal column masked"),
    "N208": ("每月一个工作表的台账缺少某些月份", "months without a sheet in a ledger kept by month"),
}

# Run-level problems (not tied to a ledger cell): the run stops before any kernel starts, or the
# run's summary reports them. Same stable-code rule as above.
RUN_CODES: dict[str, tuple[str, str]] = {
    "P301": ("运行参数指向不存在的路径", "path parameter points nowhere"),
    "P302": ("数字登记册无效", "invalid register"),
    "P303": ("该年度没有数字登记册，未核对报告数字", "no register for the year: no figure checked"),
    "P304": ("清洗数据没有对应的原始台账，未使用", "clean data without a raw source ignored"),
    "P305": ("发布前扫描发现个人信息或机器信息，未发布", "personal or machine data found before publishing"),
    "P306": ("全称判断所依据的表有被隔离或无法读取的行", "universal claim resting on quarantined rows"),
    "P307": ("单位配置缺失或无效", "missing or invalid unit configuration"),
}


@dataclass(frozen=True)
class Problem:
    """One problem in a raw ledger, located precisely enough to fix it."""

    code: str
    level: Level
    file: str
    sheet: str = ""
    row: int | None = None  # 1-based row in the sheet (or line in a CSV)
    column: str = ""  # the Chinese header
    value: str = ""  # the raw value as text (masked for personal columns)
    detail: str = ""  # Chinese explanation, with the closest known value where useful
    table: str = ""

    @property
    def label(self) -> str:
        zh, en = CODES[self.code]
        return f"{zh} ({en})"

    def message(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            where.append(f"第{self.row}行")
        if self.column:
            where.append(f"列「{self.column}」")
        loc = " / ".join(where)
        value = f" 值={self.value!r}" if self.value else ""
        detail = f"：{self.detail}" if self.detail else ""
        return f"[{self.code}] {self.label} — {loc}{value}{detail}"

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["label"] = self.label
        return data


class LedgerFileError(Exception):
    """File-level problems: the run cannot go on. Carries every problem found in the pass."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = [p.message() for p in problems]
        super().__init__(f"台账存在 {len(problems)} 个文件级问题，清洗已停止 (cleaning stopped):\n" + "\n".join(lines))
