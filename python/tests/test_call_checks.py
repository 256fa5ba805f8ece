import unittest

from kael import KaelError, RemoteError, WorkFrame
from kael import protocol


class CallChecksTest(unittest.TestCase):
    def test_a_timeout_becomes_the_expiration_in_milliseconds(self):
        self.assertEqual(protocol.expiration(30, "x"), "30000")
        self.assertEqual(protocol.expiration(0.0001, "x"), "1")
        self.assertEqual(protocol.expiration(4294967.295, "x"), "4294967295")

    def test_a_timeout_the_broker_would_refuse_raises_option_invalid(self):
        for bad in (1e9, 4294967.296, 0, -1, float("nan"), float("inf"), "30", None, True):
            with self.assertRaises(KaelError) as caught:
                protocol.expiration(bad, "x")
            self.assertEqual(caught.exception.code, "OPTION_INVALID")

    def test_a_body_over_the_limit_raises_request_too_large_with_the_sizes(self):
        protocol.check_size(b"x" * 10, 10, "x")
        with self.assertRaises(KaelError) as caught:
            protocol.check_size(b"x" * 11, 10, "x")
        self.assertEqual(caught.exception.code, "REQUEST_TOO_LARGE")
        self.assertEqual(caught.exception.details, {"bytes": 11, "limit": 10})

    def test_client_options_out_of_range_raise_option_invalid(self):
        for kwargs in ({"timeout": 1e12}, {"max_request_bytes": 0}, {"max_request_bytes": 1.5}):
            with self.assertRaises(KaelError) as caught:
                WorkFrame(name="t", **kwargs)
            self.assertEqual(caught.exception.code, "OPTION_INVALID")

    def test_calls_are_checked_before_any_connection_is_opened(self):
        client = WorkFrame(name="t", auri="amqp://guest:guest@127.0.0.1:1", max_request_bytes=100)
        with self.assertRaises(KaelError) as caught:
            client.call("calc__echo", ["x" * 200])
        self.assertEqual(caught.exception.code, "REQUEST_TOO_LARGE")
        with self.assertRaises(KaelError) as caught:
            client.call("calc__echo", [1], timeout=1e12)
        self.assertEqual(caught.exception.code, "OPTION_INVALID")

    def test_size_errors_of_a_frame_keep_their_code(self):
        for code in ("REPLY_TOO_LARGE", "REQUEST_TOO_LARGE", "WORKER_CRASHED"):
            self.assertEqual(RemoteError({"code": code, "name": "KaelError", "message": "m"}).code, code)


if __name__ == "__main__":
    unittest.main()
