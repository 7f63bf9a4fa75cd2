"""A process that serves requests loads the kit's runtime only, never its checks or guards."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ..runtime.conf import KIT_PACKAGE, PROJECT_ROOT

# What Django's start-up for a web process (wsgi.py) leaves loaded of the kit.
KIT_MODULES_AT_STARTUP = f"""
import json, sys
from django.core.wsgi import get_wsgi_application
get_wsgi_application()
print(json.dumps(sorted(name for name in sys.modules if name.startswith("{KIT_PACKAGE}."))))
"""
# Django imports every installed app's package and apps.py: the kit's two apps are no more.
APP_CONFIGS = {
    f"{KIT_PACKAGE}.{app}{module}"
    for app in ("inspection", "scaffolding")
    for module in ("", ".apps")
}


def test_a_web_process_loads_no_inspection_testing_or_scaffolding_code() -> None:
    started = subprocess.run(  # noqa: S603 - this interpreter on the code above
        [sys.executable, "-c", KIT_MODULES_AT_STARTUP],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = json.loads(started.stdout.splitlines()[-1])

    beyond_runtime = [
        name
        for name in loaded
        if not name.startswith(f"{KIT_PACKAGE}.runtime") and name not in APP_CONFIGS
    ]
    assert f"{KIT_PACKAGE}.runtime.decorator" in loaded
    assert beyond_runtime == []
