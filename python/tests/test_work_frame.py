import os
import tempfile
import unittest
from unittest import mock

import kael
from kael import WORK_FRAME, KaelError, RemoteError, WorkFrame
from kael.commands import PendingCommand, plan_deploy, select_frames
from kael.daemon import kael_command
from kael.membership import Membership
from kael.protocol import call_exchange, decode, encode, service_queue

SEED_NAMES = [
    "command", "get_response", "get_last_version", "get_all_crontab_status", "update_service",
    "update_crontab", "install_service", "install_crontab", "frame_start",
]


def frame(fid, packages=(), heartbeat_ms=2000):
    return {"id": fid, "heartbeatMs": heartbeat_ms, "packages": [{"kind": k, "name": n, "version": v} for k, n, v in packages]}


class SeedNamesTest(unittest.TestCase):
    def test_work_frame_is_the_seeds_name_for_the_client_class(self):
        self.assertIs(WORK_FRAME, WorkFrame)
        from kael.work_frame import WORK_FRAME as seed_import

        self.assertIs(seed_import, WorkFrame)

    def test_the_client_has_every_seed_method(self):
        client = WORK_FRAME(name="test", auri="amqp://guest:guest@127.0.0.1:5672")
        for name in SEED_NAMES:
            self.assertTrue(callable(getattr(client, name)), name)

    def test_a_service_name_is_a_callable_attribute(self):
        client = WORK_FRAME(name="test")
        self.assertEqual(client.calculate__add.__name__, "calculate__add")
        with self.assertRaises(AttributeError):
            client.__len__
        with self.assertRaises(AttributeError):
            client.plain

    def test_the_namespace_comes_from_frame_yaml_when_no_name_is_given(self):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write("# frame\nservice_group: services_default  # group\npath:\n  - ./calculate_service\n")
        self.addCleanup(os.unlink, f.name)
        with mock.patch.dict(os.environ, {"KAEL_NAME": ""}):
            self.assertEqual(WORK_FRAME(service_group_conf=f.name).name, "services_default")
            self.assertEqual(WORK_FRAME(name="test", service_group_conf=f.name).name, "test")

    def test_frame_start_needs_a_config(self):
        with self.assertRaises(KaelError) as e:
            WORK_FRAME(name="test").frame_start()
        self.assertEqual(e.exception.code, "USAGE")

    def test_frame_start_runs_the_cli_named_by_kael_cli(self):
        with mock.patch.dict(os.environ, {"KAEL_CLI": "node '/opt/kael cli/main.js'"}):
            self.assertEqual(kael_command(), ["node", "/opt/kael cli/main.js"])

    def test_unknown_kinds_are_a_usage_error(self):
        with self.assertRaises(KaelError) as e:
            WORK_FRAME(name="test").restart("daemon")
        self.assertEqual(e.exception.code, "USAGE")


class ErrorsTest(unittest.TestCase):
    def test_remote_errors_keep_the_remote_type_and_known_codes(self):
        e = RemoteError({"code": "REMOTE_ERROR", "name": "ZeroDivisionError", "message": "division by zero"})
        self.assertEqual((e.code, e.remote_name, e.message), ("REMOTE_ERROR", "ZeroDivisionError", "ZeroDivisionError: division by zero"))
        self.assertEqual(RemoteError({"code": "INVALID_ARGS", "name": "KaelError", "message": "m"}).code, "INVALID_ARGS")
        self.assertEqual(RemoteError({"code": "WORKER_CRASHED", "name": "KaelError", "message": "m"}).code, "WORKER_CRASHED")
        self.assertEqual(RemoteError({"code": "SOMETHING", "name": "X", "message": "m"}).code, "REMOTE_ERROR")

    def test_arguments_that_json_cannot_carry_are_an_encode_error_naming_the_service(self):
        with self.assertRaises(KaelError) as e:
            encode([[{1, 2}], {}], "calculate__add")
        self.assertEqual(e.exception.code, "ENCODE_ERROR")
        self.assertIn("calculate__add", e.exception.message)
        with self.assertRaises(KaelError):
            encode([[float("nan")], {}], "calculate__add")


class ProtocolTest(unittest.TestCase):
    def test_calls_go_to_the_service_queue_through_the_call_exchange(self):
        self.assertEqual(service_queue("test", "calculate__add"), "kael.test.svc.calculate__add")
        self.assertEqual(call_exchange("test"), "kael.test.call")

    def test_decodes_json_and_msgpack_bodies(self):
        self.assertEqual(decode(b'{"ok":true,"value":3}', "application/json"), {"ok": True, "value": 3})
        self.assertEqual(decode(b"\x82\xa2ok\xc3\xa5value\x03", "application/msgpack"), {"ok": True, "value": 3})
        self.assertEqual(decode(b'{"ok":true}', None), {"ok": True})

    def test_carries_bytes_in_json_as_the_tagged_base64_map(self):
        self.assertEqual(encode([[b"\x00\xff"], {}], "f"), b'[[{"__kael_bytes__":"AP8="}],{}]')
        self.assertEqual(decode(b'{"ok":true,"value":{"__kael_bytes__":"AP8="}}', "application/json"), {"ok": True, "value": b"\x00\xff"})


class PendingCommandTest(unittest.TestCase):
    def test_is_done_when_every_target_answered(self):
        p = PendingCommand("_ping", {"a", "b"})
        p.on_reply({"ok": True, "value": 1}, "a")
        self.assertFalse(p.done)
        p.on_reply({"ok": True, "value": 2}, "b")
        self.assertTrue(p.done)

    def test_marks_silent_frames_command_timeout(self):
        p = PendingCommand("_ping", {"a", "b"})
        p.on_reply({"ok": True, "value": 1}, "a")
        self.assertEqual(p.result(5)["b"]["error"]["code"], "COMMAND_TIMEOUT")

    def test_a_frame_that_left_is_written_off(self):
        p = PendingCommand("_ping", {"a"})
        p.write_off("a", "FRAME_NOT_FOUND", "gone")
        self.assertTrue(p.done)
        self.assertEqual(p.result(5)["a"]["error"]["code"], "FRAME_NOT_FOUND")

    def test_a_returned_targeted_command_names_the_missing_frame(self):
        p = PendingCommand("_restart_service", {"x"}, target_id="x")
        p.on_return("kael.test.frame.x")
        self.assertEqual(p.result(5)["x"]["error"]["code"], "FRAME_NOT_FOUND")


class DeployPlanTest(unittest.TestCase):
    frames = [
        frame("a", [("service", "calculate", "1.9")]),
        frame("b", [("service", "calculate", "1.10")]),
        frame("c"),
    ]

    def test_updates_the_holders_to_the_highest_live_version(self):
        version, source, targets = plan_deploy(self.frames, "update", "service", "calculate")
        self.assertEqual((version, source["id"], [f["id"] for f in targets]), ("1.10", "b", ["a", "b"]))

    def test_installs_on_frames_lacking_the_package_minus_not_id(self):
        _, _, targets = plan_deploy(self.frames, "install", "service", "calculate", not_id=["a"])
        self.assertEqual([f["id"] for f in targets], ["c"])

    def test_a_version_nobody_holds_is_version_not_found(self):
        with self.assertRaises(KaelError) as e:
            plan_deploy(self.frames, "update", "service", "calculate", version="2.0")
        self.assertEqual(e.exception.code, "VERSION_NOT_FOUND")

    def test_an_unknown_frame_id_is_frame_not_found(self):
        with self.assertRaises(KaelError) as e:
            plan_deploy(self.frames, "update", "service", "calculate", id="zzz")
        self.assertEqual(e.exception.code, "FRAME_NOT_FOUND")

    def test_not_id_may_be_a_comma_separated_string(self):
        self.assertEqual([f["id"] for f in select_frames(self.frames, not_id="a,b")], ["c"])


class MembershipTest(unittest.TestCase):
    def test_keeps_the_newest_announcement_and_drops_goodbyes(self):
        down = []
        m = Membership(on_down=down.append)
        m.accept({"type": "hello", "frame": frame("a", [("service", "x", "2")]), "seq": 2})
        m.accept({"type": "hello", "frame": frame("a", [("service", "x", "1")]), "seq": 1})
        self.assertEqual(m.frames()[0]["packages"][0]["version"], "2")
        m.accept({"type": "goodbye", "frame": frame("a"), "seq": 3})
        self.assertEqual((m.frames(), [f["id"] for f in down]), ([], ["a"]))

    def test_forgets_a_frame_silent_for_three_heartbeats(self):
        m = Membership()
        with mock.patch("kael.membership.time.monotonic", return_value=100.0):
            m.accept({"type": "hello", "frame": frame("a", heartbeat_ms=100), "seq": 1})
        with mock.patch("kael.membership.time.monotonic", return_value=100.5):
            self.assertEqual(m.frames(), [])


class PublicApiTest(unittest.TestCase):
    def test_exports_are_explicit(self):
        self.assertIn("WORK_FRAME", kael.__all__)
        for name in kael.__all__:
            self.assertTrue(hasattr(kael, name), name)


if __name__ == "__main__":
    unittest.main()
