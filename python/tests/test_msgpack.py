import struct
import unittest
from datetime import datetime, timezone

from kael._msgpack import unpackb


class UnpackTest(unittest.TestCase):
    def test_reads_scalars(self):
        self.assertEqual(unpackb(b"\xc0"), None)
        self.assertEqual(unpackb(b"\xc3"), True)
        self.assertEqual(unpackb(b"\x05"), 5)
        self.assertEqual(unpackb(b"\xff"), -1)
        self.assertEqual(unpackb(b"\xcd\x01\x00"), 256)
        self.assertEqual(unpackb(b"\xd2\xff\xff\xff\xfe"), -2)
        self.assertEqual(unpackb(b"\xcf" + struct.pack(">Q", 2**40)), 2**40)
        self.assertEqual(unpackb(b"\xcb" + struct.pack(">d", 1.5)), 1.5)
        self.assertEqual(unpackb(b"\xa3abc"), "abc")
        self.assertEqual(unpackb(b"\xd9\x03\xc3\xa9x"), "éx")
        self.assertEqual(unpackb(b"\xc4\x02\x01\x02"), b"\x01\x02")

    def test_reads_nested_maps_and_arrays(self):
        data = b"\x82\xa4type\xa5hello\xa5frame\x82\xa2id\xa1a\xa8packages\x92\x01\x90"
        self.assertEqual(unpackb(data), {"type": "hello", "frame": {"id": "a", "packages": [1, []]}})
        self.assertEqual(unpackb(b"\xdc\x00\x02\x01\x02"), [1, 2])

    def test_reads_timestamps_as_utc_datetimes(self):
        self.assertEqual(unpackb(b"\xd6\xff" + struct.pack(">I", 60)), datetime(1970, 1, 1, 0, 1, tzinfo=timezone.utc))

    def test_rejects_truncated_and_trailing_data(self):
        with self.assertRaises(ValueError):
            unpackb(b"\xa3ab")
        with self.assertRaises(ValueError):
            unpackb(b"\x01\x02")


if __name__ == "__main__":
    unittest.main()
