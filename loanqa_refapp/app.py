"""Builds the refapp ASGI application: routes, error rendering, middleware, the H5 app and the payout pool."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from loanqa_refapp.accesslog import AccessLog
from loanqa_refapp.apierror import ApiError
from loanqa_refapp.disbursement import Disburser
from loanqa_refapp.middleware import AdmissionControl
from loanqa_refapp.routes import admin, auth, kyc, loans
from loanqa_refapp.settings import Settings
from loanqa_refapp.state import AppState
from loanqa_refapp.store import Store

STATIC_APP = Path(__file__).resolve().parent / "static" / "app"
log = logging.getLogger("refapp")


def create_app(settings: Settings, database_url: str) -> FastAPI:
    st = AppState(settings=settings, store=Store(database_url))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        st.disburser = Disburser(st)
        st.disburser.start()
        log.info("refapp ready: max_inflight=%s workers=%s", settings.max_inflight, settings.disburse_workers)
        try:
            yield
        finally:
            await st.disburser.stop()
            st.store.close()

    app = FastAPI(title="refapp: reference mobile-loan service", version="1.0", lifespan=lifespan)
    app.state.refapp = st
    for router in (auth.router, kyc.router, loans.router, admin.router):
        app.include_router(router)
    _add_error_handlers(app)
    app.get("/healthz", include_in_schema=False)(_healthz)
    app.get("/app", include_in_schema=False)(_to_app)
    app.mount("/app", StaticFiles(directory=STATIC_APP, html=True, check_dir=False), name="h5")
    app.add_middleware(AdmissionControl, state=st)
    app.add_middleware(AccessLog)  # added last: outermost, so it records admission control's answers too
    return app


async def _healthz() -> dict[str, str]:
    return {"status": "ok"}


async def _to_app() -> RedirectResponse:
    return RedirectResponse("/app/")


def _add_error_handlers(app: FastAPI) -> None:
    async def api_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return exc.response()

    async def invalid(_: Request, exc: Exception) -> Response:
        # 422 naming the field (in `reasons` too); the input value is never echoed (it may be an ID number).
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return ApiError(422, "BAD_REQUEST", f"{where}: {first.get('msg', 'invalid request')}",
                        reasons=[where]).response()

    async def http_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = "NOT_FOUND" if exc.status_code == 404 else "BAD_REQUEST"
        return JSONResponse({"code": code, "message": str(exc.detail)}, status_code=exc.status_code,
                            headers=exc.headers)

    async def crash(_: Request, exc: Exception) -> Response:
        log.error("unhandled error: %r", exc)
        return ApiError(500, "INTERNAL", "internal error").response()

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, crash)
