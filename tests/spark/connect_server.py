"""A Spark Connect server for tests: the one in the pyspark package (its jars hold the Connect
service), started with `spark-submit` on a free local port in a process group of its own, and
stopped with the group."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

from load.server import free_port, stop_process

START_TIMEOUT = 120.0  # a second JVM on a busy two-core machine


class ConnectServer:
    def __init__(self, folder: Path) -> None:
        """The server's log, scratch files and temporary files all go into `folder`."""
        import pyspark

        home = Path(pyspark.__file__).parent
        log = folder / "server.log"
        self.port = free_port()
        self.url = f"sc://127.0.0.1:{self.port}"
        self.log = log
        command = [
            str(home / "bin" / "spark-submit"), "--master", "local[1]",
            "--driver-memory", "768m",
            "--driver-java-options", f"-Djava.io.tmpdir={folder}",
            "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
            "--conf", f"spark.connect.grpc.binding.port={self.port}",
            "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
            "--conf", "spark.driver.host=127.0.0.1",
            "--conf", "spark.driver.bindAddress=127.0.0.1",
            "--conf", "spark.ui.enabled=false",
            "--conf", "spark.sql.shuffle.partitions=2",
            "--conf", f"spark.sql.warehouse.dir={(folder / 'warehouse').as_uri()}",
            "spark-internal",
        ]
        env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1"}
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(command, env=env, cwd=folder, stdout=self._log_file,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Spark Connect server exited:\n{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"no Spark Connect server after {START_TIMEOUT:.0f} s:\n"
                           f"{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        self._log_file.flush()
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        stop_process(self.process, timeout=20)
        self._log_file.close()
