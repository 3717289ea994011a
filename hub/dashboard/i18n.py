"""The dashboard in Chinese and English: one message catalog and the choice of language.

The language is the ``lang`` cookie (set by the switch in the header); without
it, the browser's ``Accept-Language`` decides — Chinese when the browser
prefers Chinese, English otherwise. Every key has both languages; a test
checks that every key a template uses is here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request

EN, ZH = "en", "zh"
LANGUAGES: dict[str, str] = {ZH: "中文", EN: "English"}
DEFAULT = EN
COOKIE = "lang"

Translate = Callable[..., str]

CATALOG: dict[str, tuple[str, str]] = {
    # ---- frame
    "app.title": ("Integration hub", "集成中心"),
    "nav.skip": ("Skip to content", "跳到正文"),
    "nav.overview": ("Overview", "概览"),
    "nav.messages": ("Messages", "消息"),
    "nav.traces": ("Traces", "链路追踪"),
    "nav.dead": ("Dead letters", "死信"),
    "nav.connectors": ("Connectors", "连接器"),
    "nav.mappings": ("Mappings", "映射"),
    "nav.audit": ("Audit log", "审计日志"),
    "nav.users": ("Users", "用户"),
    "nav.tokens": ("API tokens", "API 令牌"),
    "nav.masterdata": ("Master data", "主数据"),
    # ---- master data (golden records)
    "md.title": ("Master data", "主数据"),
    "md.reviews": ("Review queue", "待审核"),
    "md.reviews_note": ("Pairs the matcher was unsure of. Compare the evidence per field, then merge or keep apart.",
                        "匹配不确定的记录对。请逐字段比较证据，然后合并或保持分开。"),
    "md.reviews_empty": ("Nothing waits for review.", "没有待审核的记录。"),
    "md.entity": ("Entity", "实体"),
    "md.search": ("Search", "搜索"),
    "md.empty": ("No golden record matches.", "没有匹配的主记录。"),
    "md.name": ("Name", "名称"),
    "md.xrefs": ("Each system's id", "各系统编号"),
    "md.version": ("Version", "版本"),
    "md.score": ("match probability", "匹配概率"),
    "md.field": ("Field", "字段"),
    "md.left": ("One record", "记录一"),
    "md.right": ("The other", "记录二"),
    "md.similarity": ("Similarity", "相似度"),
    "md.weight": ("Weight (bits)", "权重（比特）"),
    "md.merge": ("Same entity: merge", "同一实体：合并"),
    "md.apart": ("Different: keep apart", "不同实体：保持分开"),
    "md.unmerge": ("Undo the last merge", "撤销上次合并"),
    "md.merged_into": ("Merged into", "已合并到"),
    "md.fields": ("Golden fields and where they come from", "主记录字段及来源"),
    "md.value": ("Value", "值"),
    "md.from": ("From", "来源"),
    "md.rule": ("Rule", "规则"),
    "md.sources": ("Source records", "源记录"),
    "md.history": ("History", "历史"),
    "md.action": ("Action", "操作"),
    "md.actor": ("Who", "操作人"),
    "md.source": ("Source", "来源记录"),
    "md.changes": ("Changed fields", "变更字段"),
    "md.flash_merged": ("Merged.", "已合并。"),
    "md.flash_apart": ("Kept apart: they will not be matched again.", "已保持分开，不会再被自动匹配。"),
    "md.flash_unmerged": ("Unmerged: both records and their cross-references are back.", "已撤销合并：两条记录及其交叉引用均已恢复。"),
    "md.flash_failed": ("Not done: {error}", "未完成：{error}"),
    "nav.menu": ("Menu", "菜单"),
    "nav.main": ("Main", "主导航"),
    "lang.label": ("Language", "语言"),
    "lang.switch": ("Switch", "切换"),
    "user.signed_in_as": ("{name} · {role}", "{name} · {role}"),
    "user.logout": ("Log out", "退出登录"),
    "role.viewer": ("viewer", "查看者"),
    "role.operator": ("operator", "操作员"),
    "role.admin": ("admin", "管理员"),
    "time.zone": ("{tz} ({offset})", "{tz}（{offset}）"),
    "time.zone_hint": ("Times are shown in the business time zone {tz} ({offset}); "
                       "hover a time to see it in UTC",
                       "时间按业务时区 {tz}（{offset}）显示；鼠标悬停在时间上可查看 UTC 时间"),
    "common.none": ("—", "—"),
    "common.yes": ("yes", "是"),
    "common.no": ("no", "否"),
    "common.cancel": ("Cancel", "取消"),
    "common.apply": ("Apply", "应用"),
    "common.clear": ("Clear", "清除"),
    "common.older": ("Older", "更早"),
    "common.newest": ("Newest", "最新"),
    "common.details": ("Details", "详情"),
    "common.all": ("all", "全部"),
    "common.save": ("Save", "保存"),
    "common.ms": ("{n} ms", "{n} 毫秒"),
    "common.back": ("Back", "返回"),
    # ---- login
    "login.title": ("Log in", "登录"),
    "login.username": ("Username", "用户名"),
    "login.password": ("Password", "密码"),
    "login.submit": ("Log in", "登录"),
    "login.failed": ("Wrong username or password, or the account is disabled.",
                     "用户名或密码错误，或账号已停用。"),
    "login.expired": ("Your session has ended; please log in again.", "会话已结束，请重新登录。"),
    "login.locked": ("Too many failed logins: try again in {minutes} minute(s).",
                     "登录失败次数过多，请 {minutes} 分钟后再试。"),
    "login.logged_out": ("You are logged out.", "您已退出登录。"),
    "login.intro": ("Find any message by business key, see why it failed, fix and replay it.",
                    "按业务单号查找任何消息，查看失败原因，修复并重放。"),
    # ---- errors
    "error.title": ("Something is not right", "出了点问题"),
    "error.forbidden": ("Your role does not allow this. Ask an admin for the operator role.",
                        "您的角色无权执行此操作。请联系管理员授予操作员角色。"),
    "error.csrf": ("The form had expired. Reload the page and try again.", "表单已过期，请刷新页面后重试。"),
    "error.not_found": ("Not found: {what}", "未找到：{what}"),
    "error.home": ("Back to the overview", "返回概览"),
    # ---- statuses
    "status.received": ("received", "已接收"),
    "status.ignored": ("ignored", "已忽略"),
    "status.failed": ("failed", "失败"),
    "status.no_route": ("no route", "无订阅"),
    "status.delivering": ("delivering", "投递中"),
    "status.delivered": ("delivered", "已投递"),
    "status.rejected": ("rejected", "被拒绝"),
    "status.dead": ("dead", "死信"),
    "status.pending": ("pending", "待投递"),
    "status.in_flight": ("in flight", "发送中"),
    "status.retrying": ("retrying", "重试中"),
    "status.paused": ("paused", "已暂停"),
    "status.superseded": ("superseded", "已被取代"),
    "outcome.success": ("success", "成功"),
    "outcome.transient": ("transient fault", "临时故障"),
    "outcome.rejected": ("rejected", "被拒绝"),
    "outcome.waiting": ("waiting for master data", "等待主数据"),
    "outcome.mapping_error": ("mapping error", "映射错误"),
    # ---- overview
    "overview.title": ("Overview", "概览"),
    "overview.messages_hour": ("Messages in the last hour", "近一小时消息"),
    "overview.queue": ("Queue depth", "队列深度"),
    "overview.queue_hint": ("deliveries waiting or in flight", "等待或发送中的投递"),
    "overview.dead": ("Dead letters", "死信"),
    "overview.dead_hint": ("deliveries that gave up", "已放弃的投递"),
    "overview.failed": ("Failed messages", "失败消息"),
    "overview.failed_hint": ("translation failed: fix the mapping, then replay", "转换失败：修复映射后重放"),
    "overview.chart_messages": ("Messages per minute, by sending system", "每分钟消息数（按发送系统）"),
    "overview.chart_errors": ("Error rate of delivery attempts, by target system", "投递尝试错误率（按目标系统）"),
    "overview.health": ("Systems' health (last 15 minutes)", "系统健康（近 15 分钟）"),
    "overview.no_traffic": ("No traffic in the last hour. Systems send events to POST /webhooks/{{connector}}; "
                            "the README's quickstart sends one.",
                            "近一小时无流量。各系统向 POST /webhooks/{{connector}} 发送事件；README 中的快速上手示例可发送一条。"),
    "overview.by_status": ("Messages by state", "按状态统计消息"),
    "health.system": ("System", "系统"),
    "health.state": ("State", "状态"),
    "health.circuit": ("Circuit", "熔断"),
    "health.circuit_hint": ("the circuit breaker declared in the connector file (circuit_breaker)",
                            "连接器文件中声明的熔断器（circuit_breaker）"),
    "health.success": ("Success rate", "成功率"),
    "health.latency": ("Latency avg / p95", "延迟 平均 / p95"),
    "health.attempts": ("Attempts", "尝试次数"),
    "health.last": ("Last attempt", "最近一次尝试"),
    "health.queue": ("Queue", "队列"),
    "health.dead": ("Dead", "死信"),
    "health.healthy": ("healthy", "健康"),
    "health.degraded": ("degraded", "降级"),
    "health.failing": ("failing", "故障"),
    "health.idle": ("idle", "空闲"),
    "health.paused": ("paused", "已暂停"),
    "health.closed": ("closed", "闭合"),
    "health.open": ("open", "断开"),
    "health.half_open": ("half-open", "半开"),
    "health.none": ("none", "未启用"),
    # ---- messages
    "messages.title": ("Messages", "消息"),
    "messages.search": ("Business key, customer code or id", "业务单号、客户编码或 ID"),
    "messages.search_label": ("Search", "搜索"),
    "messages.search_button": ("Search", "搜索"),
    "messages.connector": ("System", "系统"),
    "messages.type": ("Canonical type", "标准类型"),
    "messages.status": ("State", "状态"),
    "messages.since": ("From", "开始时间"),
    "messages.until": ("To", "结束时间"),
    "messages.live": ("Live", "实时"),
    "messages.live_hint": ("new and changed messages appear at the top", "新增和变化的消息显示在顶部"),
    "messages.received": ("Received", "接收时间"),
    "messages.from": ("From", "来源"),
    "messages.event": ("Event → type", "事件 → 类型"),
    "messages.subject": ("Business key", "业务单号"),
    "messages.error": ("Error", "错误"),
    "messages.empty": ("No message matches. Clear the filters, or check the spelling of the business key.",
                       "没有匹配的消息。请清除筛选条件，或检查业务单号拼写。"),
    "messages.empty_all": ("No message yet. Systems send events to POST /webhooks/{{connector}}; "
                           "the README's quickstart shows how.",
                           "还没有消息。各系统向 POST /webhooks/{{connector}} 发送事件；README 的快速上手有示例。"),
    "messages.count": ("{n} shown", "显示 {n} 条"),
    # ---- message detail
    "message.title": ("Message {id}", "消息 {id}"),
    "message.summary": ("Summary", "摘要"),
    "message.id": ("Message id", "消息 ID"),
    "message.sender_id": ("Sender's id", "发送方 ID"),
    "message.mode": ("Mode", "方式"),
    "message.correlation": ("Correlation id", "关联 ID"),
    "message.trace": ("Follow the trace", "查看链路"),
    "message.updated": ("Updated", "更新时间"),
    "message.error": ("Why it failed", "失败原因"),
    "message.error_at": ("in {file} at line {line}, column {column}", "位于 {file} 第 {line} 行第 {column} 列"),
    "message.actions": ("Actions", "操作"),
    "message.replay": ("Replay", "重放"),
    "message.replay_hint": ("send the canonical message to today's subscribers again",
                            "将标准消息重新发送给当前订阅者"),
    "message.remap": ("Replay with the current mapping", "用当前映射重放"),
    "message.remap_hint": ("translate the raw message again, then deliver", "重新转换原始消息后投递"),
    "message.viewer_note": ("Viewers can look but not act; operators can replay and retry.",
                            "查看者只能查看；操作员可以重放和重试。"),
    "message.raw": ("Raw inbound", "原始入站消息"),
    "message.headers": ("Headers", "请求头"),
    "message.body": ("Body", "消息体"),
    "message.canonical": ("Canonical messages", "标准消息"),
    "message.canonical_split": ("This event became {n} canonical messages (split), each delivered on its own.",
                                "该事件拆分为 {n} 条标准消息，各自独立投递。"),
    "message.part": ("#{n}", "第 {n} 条"),
    "message.element": ("element {n}", "第 {n} 个元素"),
    "message.canonical_none": ("No canonical form: the translation failed. Fix the mapping, then "
                               "\"Replay with the current mapping\".",
                               "没有标准消息：转换失败。请修复映射后点击“用当前映射重放”。"),
    "message.current": ("current", "当前"),
    "message.earlier": ("earlier translation", "早先的转换"),
    "message.mapping": ("Mapping", "映射"),
    "message.before_after": ("Before and after each mapping", "各映射的转换前后对比"),
    "message.before": ("Before", "转换前"),
    "message.after": ("After", "转换后"),
    "message.inbound_mapping": ("Inbound mapping {name}", "入站映射 {name}"),
    "message.outbound_mapping": ("Outbound mapping {name} → {connector}", "出站映射 {name} → {connector}"),
    "message.try_in_playground": ("Try in the playground", "在演练场中试运行"),
    "message.deliveries": ("Deliveries", "投递"),
    "message.deliveries_none": ("No delivery: nobody subscribes to this type, or translation failed.",
                                "没有投递：无人订阅此类型，或转换失败。"),
    "message.retry": ("Retry now", "立即重试"),
    "message.request": ("Mapped call", "映射后的调用"),
    "message.attempts": ("Attempts", "尝试记录"),
    "message.attempts_none": ("No attempt yet.", "尚无尝试。"),
    "message.next_attempt": ("Next attempt", "下次尝试"),
    "message.rounds": ("Rounds", "轮次"),
    "message.rounds_hint": ("Rounds of the connector's retry schedule used so far: each round is one call plus "
                            "its quick in-place retries (counted under Attempts); after the schedule's last "
                            "round the delivery is dead. 0: delivered in the first round, or not tried yet.",
                            "已用掉的重试计划轮次：每一轮是一次调用加上其当场快速重试（计入“尝试”次数）；"
                            "用完重试计划的最后一轮后，投递即成为死信。0 表示首轮即投递成功或尚未尝试。"),
    "message.live_status": ("Updating…", "正在更新…"),
    "attempt.number": ("#", "序号"),
    "attempt.started": ("Started", "开始时间"),
    "attempt.latency": ("Latency", "延迟"),
    "attempt.status": ("HTTP", "HTTP"),
    "attempt.outcome": ("Outcome", "结果"),
    "attempt.error": ("Error", "错误"),
    "attempt.response": ("Response excerpt", "响应摘录"),
    "flash.replayed": ("Replayed: {detail}.", "已重放：{detail}。"),
    "flash.retried": ("Delivery queued again.", "投递已重新排队。"),
    "flash.not_retried": ("Not retried: {detail}.", "未重试：{detail}。"),
    # ---- traces
    "trace.title": ("Trace", "链路追踪"),
    "trace.title_of": ("Trace {id}", "链路 {id}"),
    "trace.find": ("Correlation id or business key", "关联 ID 或业务单号"),
    "trace.find_button": ("Show the trace", "显示链路"),
    "trace.intro": ("One business transaction across systems: each column is a system, time runs down. "
                    "Failures are red. Click a step to open its message.",
                    "跨系统的一次业务往来：每列是一个系统，时间自上而下。失败以红色标出。点击步骤可打开对应消息。"),
    "trace.empty": ("Nothing to draw for this id. Search a business key on the Messages page and follow "
                    "\"Follow the trace\" from a message.",
                    "此 ID 没有可绘制的内容。请在“消息”页搜索业务单号，再从消息详情点击“查看链路”。"),
    "trace.steps": ("Steps in time order", "按时间排序的步骤"),
    "trace.recent": ("Recent transactions", "最近的业务往来"),
    "trace.recent_intro": ("Each line is one business transaction (one correlation id); open it to see it "
                           "drawn across the systems it touched.",
                           "每一行是一笔业务往来（一个关联 ID）；点开即可看到它流经各系统的示意图。"),
    "trace.keys": ("Business keys", "业务单号"),
    "trace.systems": ("Systems touched", "涉及系统"),
    "trace.messages": ("Messages", "消息数"),
    "trace.last": ("Last activity", "最近活动"),
    "trace.state": ("State", "状态"),
    "trace.none_yet": ("No transaction yet: messages appear here as systems send them.",
                       "还没有业务往来：系统发来消息后即显示在这里。"),
    "trace.picture": ("Picture of the transaction {id}", "业务往来 {id} 的示意图"),
    # ---- dead letters
    "dead.title": ("Dead letters", "死信"),
    "dead.intro": ("Deliveries that used up their retries, grouped by system and error. Fix the cause, then "
                   "retry a group.", "已用尽重试次数的投递，按系统和错误分组。排除原因后可按组重试。"),
    "dead.empty": ("No dead letters. Deliveries that use up their retries will appear here.",
                   "没有死信。用尽重试次数的投递会显示在这里。"),
    "dead.group_error": ("Error", "错误"),
    "dead.count": ("Deliveries", "投递数"),
    "dead.operations": ("Operations", "操作"),
    "dead.oldest": ("Oldest", "最早"),
    "dead.newest": ("Newest", "最新"),
    "dead.sample": ("Example", "示例"),
    "dead.retry_group": ("Retry this group…", "重试此组…"),
    "dead.filter": ("Retry by filter", "按条件重试"),
    "dead.error_contains": ("Error contains", "错误包含"),
    "dead.review": ("Review…", "预览…"),
    "dead.confirm_title": ("Retry dead deliveries?", "重试死信投递？"),
    "dead.confirm_text": ("{n} dead deliveries match: system {connector}, error containing \"{error}\". "
                          "Each is queued again now, with a fresh retry schedule.",
                          "共有 {n} 条死信投递匹配：系统 {connector}，错误包含“{error}”。每条都会立即重新排队，并重新计算重试计划。"),
    "dead.confirm_none": ("No dead delivery matches this filter any more.", "已没有死信投递符合此条件。"),
    "dead.confirm_button": ("Retry {n} deliveries", "重试 {n} 条投递"),
    "dead.progress_title": ("Bulk retry", "批量重试"),
    "dead.progress_text": ("{retried} of {matched} queued again by {actor}.", "{actor} 已重新排队 {retried}/{matched} 条。"),
    "dead.progress_done": ("Finished: {delivered} delivered, {failed} failed again.",
                           "已完成：{delivered} 条已投递，{failed} 条再次失败。"),
    "dead.progress_running": ("In progress: {delivered} delivered, {open} still on their way, {failed} failed.",
                              "进行中：{delivered} 条已投递，{open} 条在途，{failed} 条失败。"),
    "dead.progress_label": ("Delivered so far", "已投递"),
    "dead.back": ("Back to dead letters", "返回死信"),
    "dead.any": ("any", "任意"),
    # ---- connectors
    "connectors.title": ("Connectors", "连接器"),
    "connectors.empty": ("No connector is configured. Add a file to connectors/ (see connectors/README or the "
                         "quickstart) and restart the hub.",
                         "尚未配置连接器。请在 connectors/ 中添加文件（参见快速上手）后重启集成中心。"),
    "connectors.name": ("Connector", "连接器"),
    "connectors.base_url": ("Base URL", "基础地址"),
    "connectors.events": ("Inbound events", "入站事件"),
    "connectors.operations": ("Operations", "出站操作"),
    "connectors.subscriptions": ("Subscriptions", "订阅"),
    "connectors.delivery": ("Delivery", "投递"),
    "connectors.pause": ("Pause delivery", "暂停投递"),
    "connectors.resume": ("Resume delivery", "恢复投递"),
    "connectors.paused_note": ("Delivery to this system is paused: messages wait and are sent on resume.",
                               "向此系统的投递已暂停：消息将等待，恢复后发送。"),
    "connectors.secret": ("Webhook secret", "Webhook 密钥"),
    "connectors.secret_env": ("set in {var} (hidden)", "已在 {var} 中设置（已隐藏）"),
    "connectors.secret_dev": ("development secret — set {var} in production", "开发用密钥——生产环境请设置 {var}"),
    "connectors.timeout": ("Timeout", "超时"),
    "connectors.retry": ("Retry schedule", "重试计划"),
    "connectors.masked": ("Masked fields", "脱敏字段"),
    "connectors.circuit_breaker": ("Circuit breaker", "熔断器"),
    "connectors.circuit_options": ("opens after {failures} transient failures in a row, probes after {cool_down} s",
                                   "连续 {failures} 次临时失败后断开，{cool_down} 秒后试探"),
    "connectors.circuit_until": ("deliveries parked until {time} UTC", "投递暂停至 {time}（UTC）"),
    "connectors.rate_limit": ("Rate limit", "限流"),
    "connectors.rate_value": ("{rate} calls/s, burst {burst}", "每秒 {rate} 次，突发 {burst} 次"),
    "connectors.event": ("Native event", "原生事件"),
    "connectors.canonical": ("Canonical type", "标准类型"),
    "connectors.mapping": ("Mapping", "映射"),
    "connectors.method_path": ("Call", "调用"),
    "connectors.headers": ("Headers", "请求头"),
    "connectors.filter": ("Filter", "过滤条件"),
    "connectors.operation": ("Operation", "操作"),
    "connectors.type": ("Type", "类型"),
    "connectors.none": ("none", "无"),
    "flash.paused": ("Delivery to {name} is paused.", "已暂停向 {name} 投递。"),
    "flash.resumed": ("Delivery to {name} resumed; {n} waiting deliveries released.",
                      "已恢复向 {name} 投递；放行 {n} 条等待中的投递。"),
    # ---- mappings
    "mappings.title": ("Mappings", "映射"),
    "mappings.empty": ("No mapping yet. Mappings are JSONata files under mappings/<system>/.",
                       "还没有映射。映射是 mappings/<system>/ 下的 JSONata 文件。"),
    "mappings.name": ("Mapping", "映射"),
    "mappings.used_by": ("Used by", "使用方"),
    "mappings.cases": ("Test cases", "测试用例"),
    "mappings.passed": ("{passed} of {total} pass", "{passed}/{total} 通过"),
    "mappings.no_cases": ("no test case — add one from the playground", "暂无测试用例——可在演练场中添加"),
    "mappings.source": ("Source", "源代码"),
    "mappings.case": ("Case", "用例"),
    "mappings.result": ("Result", "结果"),
    "mappings.pass": ("pass", "通过"),
    "mappings.fail": ("fail", "未通过"),
    "mappings.expected": ("Expected", "期望"),
    "mappings.actual": ("Actual", "实际"),
    "mappings.reload": ("Reload mappings from disk", "从磁盘重新加载映射"),
    "mappings.playground": ("Playground", "演练场"),
    "mappings.inbound": ("inbound", "入站"),
    "mappings.outbound": ("outbound", "出站"),
    "flash.reloaded": ("Mappings reloaded: {n} files, version {version}; {reached} of {total} processes applied it.",
                       "已重新加载映射：{n} 个文件，版本 {version}；{total} 个进程中 {reached} 个已应用。"),
    "processes.title": ("Processes and their mapping version", "进程及其映射版本"),
    "processes.help": ("Every API and worker process with the version of the mapping files it has loaded. "
                       "Reloading reaches all of them.",
                       "每个 API 与工作进程及其已加载的映射文件版本。重新加载会通知所有进程。"),
    "processes.process": ("Process", "进程"),
    "processes.roles": ("Roles", "角色"),
    "processes.version": ("Mapping version", "映射版本"),
    "processes.loaded_at": ("Loaded at", "加载时间"),
    "processes.seen_at": ("Last seen", "最近心跳"),
    "processes.differs": ("differs from this process's", "与当前进程不同"),
    "processes.agree": ("All processes run version {version}.", "所有进程均运行版本 {version}。"),
    "processes.disagree": ("Processes run different mapping versions: reload to align them.",
                           "各进程的映射版本不一致：请重新加载以统一。"),
    "processes.api": ("API", "API"),
    "processes.worker": ("worker", "工作进程"),
    "playground.title": ("Mapping playground", "映射演练场"),
    "playground.intro": ("Run a mapping on pasted JSON or on a logged message; edit the source freely — "
                         "nothing is saved unless you save a test case.",
                         "在粘贴的 JSON 或已记录的消息上运行映射；可随意修改源代码——除非保存为测试用例，否则不会保存任何内容。"),
    "playground.mapping": ("Mapping", "映射"),
    "playground.custom": ("(custom source)", "（自定义源代码）"),
    "playground.message": ("Logged message id (optional)", "已记录消息 ID（可选）"),
    "playground.load": ("Load", "加载"),
    "playground.source": ("JSONata source", "JSONata 源代码"),
    "playground.input": ("Input JSON", "输入 JSON"),
    "playground.run": ("Run", "运行"),
    "playground.output": ("Output", "输出"),
    "playground.error": ("Error", "错误"),
    "playground.error_at": ("at line {line}, column {column} (position {position})",
                            "位于第 {line} 行第 {column} 列（位置 {position}）"),
    "playground.bad_json": ("The input is not JSON: {error}", "输入不是合法 JSON：{error}"),
    "playground.case_name": ("Test case name", "测试用例名称"),
    "playground.save_case": ("Save this message as a test case", "将此消息保存为测试用例"),
    "playground.save_hint": ("The input and today's result (output or error) become a case beside the mapping.",
                             "输入与当前结果（输出或错误）将作为用例保存在映射旁。"),
    "playground.xref": ("Cross-references used", "用到的交叉引用"),
    "flash.case_saved": ("Test case \"{name}\" saved to {mapping}; it {result}.",
                         "测试用例“{name}”已保存到 {mapping}；结果：{result}。"),
    # ---- audit
    "audit.title": ("Audit log", "审计日志"),
    "audit.when": ("When", "时间"),
    "audit.actor": ("Who", "操作人"),
    "audit.action": ("Action", "操作"),
    "audit.target": ("Target", "对象"),
    "audit.via": ("Via", "途径"),
    "audit.detail": ("Detail", "详情"),
    "audit.empty": ("Nothing recorded yet. Logins, replays, retries, pauses and user changes appear here.",
                    "尚无记录。登录、重放、重试、暂停和用户变更都会记录在此。"),
    # ---- users and tokens
    "users.title": ("Users", "用户"),
    "users.username": ("Username", "用户名"),
    "users.role": ("Role", "角色"),
    "users.active": ("Active", "启用"),
    "users.last_login": ("Last login", "最近登录"),
    "users.add": ("Add a user", "添加用户"),
    "users.password": ("Password (8 characters or more)", "密码（至少 8 个字符）"),
    "users.create": ("Add user", "添加用户"),
    "users.change": ("Change", "修改"),
    "users.disable": ("Disable", "停用"),
    "users.enable": ("Enable", "启用"),
    "users.new_password": ("New password", "新密码"),
    "users.set_password": ("Set password", "设置密码"),
    "users.roles_help": ("viewer: reads everything · operator: also replays, retries and pauses · "
                         "admin: also users, tokens and mappings",
                         "查看者：可查看全部 · 操作员：另可重放、重试、暂停 · 管理员：另可管理用户、令牌和映射"),
    "flash.user_created": ("User {name} added.", "已添加用户 {name}。"),
    "flash.user_updated": ("User {name} updated.", "已更新用户 {name}。"),
    "tokens.title": ("API tokens", "API 令牌"),
    "tokens.intro": ("For machines: send Authorization: Bearer <token>. Scopes: query (read), operate "
                     "(also replay, retry, pause), admin (everything).",
                     "供程序调用：发送 Authorization: Bearer <令牌>。权限范围：query（只读）、operate（另可重放、重试、暂停）、admin（全部）。"),
    "tokens.name": ("Name", "名称"),
    "tokens.prefix": ("Starts with", "开头"),
    "tokens.scopes": ("Scopes", "权限范围"),
    "tokens.created": ("Created", "创建时间"),
    "tokens.expires": ("Expires", "过期时间"),
    "tokens.expires_days": ("Expires in days (empty: never)", "有效天数（留空：永不过期）"),
    "tokens.last_used": ("Last used", "最近使用"),
    "tokens.state": ("State", "状态"),
    "tokens.active": ("active", "有效"),
    "tokens.revoked": ("revoked", "已吊销"),
    "tokens.revoke": ("Revoke", "吊销"),
    "tokens.create": ("Create token", "创建令牌"),
    "tokens.new": ("New token", "新令牌"),
    "tokens.shown_once": ("Copy it now: it is shown only this once; the hub keeps only its hash.",
                          "请立即复制：令牌只显示这一次，集成中心只保存其哈希值。"),
    "tokens.empty": ("No token yet. Create one for each system or script that calls the API.",
                     "还没有令牌。请为每个调用 API 的系统或脚本创建一个。"),
    "flash.token_revoked": ("Token {name} revoked.", "已吊销令牌 {name}。"),
}


SYSTEMS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    # name: ((title en, title zh), (summary en, summary zh)) — short, for lists; the connector file keeps
    # the developer's description.
    "crm": (("CRM", "客户关系管理（CRM）"),
            ("Customers, sales orders and complaints; shows sales each order's progress.",
             "客户、销售订单和客户投诉；向销售展示每张订单的进展。")),
    "erp": (("ERP", "企业资源计划（ERP）"),
            ("Prices and credit-checks orders, posts deliveries and invoices, pays suppliers.",
             "订单定价与信用检查，过账发货与发票，向供应商付款。")),
    "mrp": (("MRP", "物料需求计划（MRP）"),
            ("Plans production orders and purchase requisitions from confirmed demand.",
             "根据已确认的需求计划生产订单和采购申请。")),
    "mes": (("MES", "制造执行系统（MES）"),
            ("Runs work orders: progress, completion and quality inspections.",
             "执行工单：报工、完工和质量检验。")),
    "wms": (("WMS", "仓储管理系统（WMS）"),
            ("Stock, goods receipts and shipments in two warehouses.",
             "两个仓库的库存、收货和发货。")),
    "srm": (("SRM", "供应商关系管理（SRM）"),
            ("Suppliers and purchase orders: issued, confirmed, delayed.",
             "供应商与采购订单：下达、确认、延期。")),
    "oa": (("OA", "办公自动化（OA）"),
           ("Approvals of requisitions, orders and credit releases; complaint tasks.",
            "审批采购申请、采购订单和信用放行；处理投诉任务。")),
    "webshop": (("Web shop", "网店"),
                ("Sends each order placed online.", "发送每一张网上订单。")),
    "ledger": (("Ledger", "账簿"),
               ("Books each sales order.", "记录每一张销售订单。")),
}
"""Each known system's name and one-line summary in both languages, keyed by connector name."""


def system_title(name: str, lang: str, default: str | None = None) -> str:
    """A system's name in the UI's language (its connector's ``title``, else its name, when unknown)."""
    known = SYSTEMS.get(name)
    return known[0][1 if lang == ZH else 0] if known else (default or name)


def system_summary(name: str, lang: str, default: str = "") -> str:
    """A system's one-line summary in the UI's language (the connector's description when unknown)."""
    known = SYSTEMS.get(name)
    return known[1][1 if lang == ZH else 0] if known else default


def negotiate(request: Request) -> str:
    """The ``lang`` cookie, else Chinese when the browser prefers it over English, else English."""
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return from_accept_language(request.headers.get("accept-language", ""))


def from_accept_language(header: str) -> str:
    best, best_q = DEFAULT, 0.0
    for i, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q - i * 1e-6  # earlier wins among equals
    return best


def translator(lang: str) -> Translate:
    index = 1 if lang == ZH else 0

    def t(key: str, **values: Any) -> str:
        entry = CATALOG.get(key)
        text = entry[index] if entry else key
        return text.format(**values)
    return t
