"""Mappings with their test cases and results; the playground; reloading mapping files."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from hub.auth.actions import require
from hub.auth.roles import ACT
from hub.dashboard import i18n
from hub.dashboard.web import Admin, Form, Services, Viewer, flash, redirect, render, url
from hub.errors import HubError, NotFound
from hub.mapping.diff import shown
from hub.playground import RunResult

router = APIRouter()


def _summaries(admin: Any) -> list[dict[str, Any]]:
    library = admin.hub.registry.mappings
    usages = admin.playground.usages()
    out = []
    for m in library.all():
        results = library.run_cases(m)
        out.append({"name": m.name, "usages": usages.get(m.name, []), "total": len(results),
                    "passed": sum(r.passed for r in results)})
    return out


@router.get("/mappings")
async def mappings(request: Request, who: Viewer, admin: Services) -> Response:
    items = await run_in_threadpool(_summaries, admin)
    processes = await run_in_threadpool(admin.hub.presence.processes)
    versions = {p.mappings_version for p in processes}
    return render(request, who, "mappings/list.html", items=items, processes=processes,
                  version=admin.hub.registry.mappings.version, agree=len(versions) <= 1)


@router.post("/mappings/reload")
async def reload(request: Request, who: Admin, form: Form, admin: Services) -> Response:
    result = await run_in_threadpool(lambda: admin.actions.reload_mappings(who, via="ui"))
    t = i18n.translator(i18n.negotiate(request))
    flash(request, t("flash.reloaded", n=result.mappings, reached=result.reached, total=len(result.processes),
                     version=result.version), "ok" if result.complete else "error")
    return redirect(url("/mappings"))


@router.get("/mappings/{name:path}")
async def mapping(request: Request, name: str, who: Viewer, admin: Services) -> Response:
    library = admin.hub.registry.mappings
    if not name.endswith(".jsonata") or not library.exists(name):
        raise NotFound(f"no mapping {name}")

    def load() -> tuple[Any, list[Any]]:
        m = library.get(name)
        return m, list(zip(m.cases, library.run_cases(m), strict=True))
    m, cases = await run_in_threadpool(load)
    return render(request, who, "mappings/detail.html", m=m, cases=cases, shown=shown,
                  usages=admin.playground.usages().get(name, []))


@router.get("/playground")
async def playground(request: Request, who: Viewer, admin: Services, mapping: str | None = None,
                     message: str | None = None, record: int | None = None) -> Response:
    """The playground, optionally opened on a mapping and a logged message."""
    source, data, problem = "", "{}", None
    library = admin.hub.registry.mappings
    if mapping and library.exists(mapping):
        source = (await run_in_threadpool(library.get, mapping)).source
    if message and mapping:
        try:
            sample = await run_in_threadpool(admin.playground.sample_input, mapping, message.strip(), record)
            data = json.dumps(sample, ensure_ascii=False, indent=2)
        except HubError as exc:
            problem = str(exc)
    return render(request, who, "mappings/playground.html", names=library.names(), mapping=mapping or "",
                  message=message or "", source=source, data=data, result=None, problem=problem, case_name="")


@router.post("/playground")
async def run(request: Request, who: Viewer, form: Form, admin: Services) -> Response:
    """Run the posted source on the posted input; with ``save`` (operators), keep it as a test case."""
    t = i18n.translator(i18n.negotiate(request))
    mapping, source = str(form.get("mapping") or ""), str(form.get("source") or "")
    text, case_name = str(form.get("input") or ""), str(form.get("case_name") or "").strip()
    values: dict[str, Any] = dict(names=admin.hub.registry.mappings.names(), mapping=mapping, source=source,
                                  data=text, message=str(form.get("message") or ""), problem=None,
                                  result=None, case_name=case_name)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        values["problem"] = t("playground.bad_json", error=str(exc))
        return render(request, who, "mappings/playground.html", status_code=422, **values)
    message = values["message"].strip() or None
    result: RunResult = await run_in_threadpool(lambda: admin.playground.run(source, data, mapping=mapping or None,
                                                                             message=message))
    values["result"] = result
    if form.get("save"):
        require(who, ACT)  # trying is for everyone; keeping a test case is an operator's act
        case = await run_in_threadpool(lambda: admin.playground.save_case(mapping, case_name, data, result))
        await run_in_threadpool(lambda: admin.audit.record(who.actor, "mapping.case.save", mapping, via="ui",
                                                           detail={"case": case_name, "passed": case.passed}))
        flash(request, t("flash.case_saved", name=case_name, mapping=mapping,
                         result=t("mappings.pass") if case.passed else t("mappings.fail")))
        return redirect(url(f"/mappings/{mapping}"))
    return render(request, who, "mappings/playground.html", **values)

