"""Forging Parquet inputs for tests: a small Thrift compact-protocol codec, enough to read a
Parquet footer or page header, change a field, and write it back.

Tests use it to make files that no writer would make (a wrong row count, a forged page header,
a second dictionary page, ...). `ParquetFile` edits the footer in place; `rewrite_pages`
rebuilds a file page by page.

Field ids used by the tests (parquet.thrift):
  FileMetaData:      3 num_rows, 4 row_groups, 6 created_by
  RowGroup:          1 columns, 3 num_rows, 5 file_offset, 6 total_compressed_size
  ColumnChunk:       2 file_offset, 3 meta_data, 4-7 offset/column index offset and length
  ColumnMetaData:    7 total_compressed_size, 9 data_page_offset, 11 dictionary_page_offset
  PageHeader:        1 type, 2 uncompressed_page_size, 3 compressed_page_size,
                     5 data_page_header, 7 dictionary_page_header, 8 data_page_header_v2
  DataPageHeader:    1 num_values, 2 encoding, 3 definition_level_encoding
  DictionaryPageHeader: 1 num_values
  DataPageHeaderV2:  1 num_values, 2 num_nulls, 3 num_rows, 7 is_compressed
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Callable, NamedTuple

# Compact protocol field types.
BOOL_TRUE, BOOL_FALSE, BYTE, I16, I32, I64, DOUBLE, BINARY, LIST, SET, MAP, STRUCT = range(1, 13)

# PageHeader.type
DATA_PAGE, INDEX_PAGE, DICTIONARY_PAGE, DATA_PAGE_V2 = range(4)
# Encoding
BIT_PACKED = 4


class Field:
    __slots__ = ("id", "type", "value")

    def __init__(self, id: int, type: int, value):
        self.id, self.type, self.value = id, type, value

    def __repr__(self):
        return f"Field({self.id}, {self.type}, {self.value!r})"


class Struct(list):
    """A Thrift struct: its fields in id order."""

    def _field(self, fid: int) -> Field | None:
        return next((f for f in self if f.id == fid), None)

    def val(self, fid: int):
        f = self._field(fid)
        return None if f is None else f.value

    def set(self, fid: int, value, type: int | None = None):
        """Sets a field; a field not there yet needs its type."""
        f = self._field(fid)
        if f is None:
            assert type is not None, f"field {fid} is new: give its type"
            self.append(Field(fid, type, value))
            self.sort(key=lambda x: x.id)
        else:
            f.value = value
            if type is not None:
                f.type = type

    def remove(self, fid: int):
        self[:] = [f for f in self if f.id != fid]


class List:
    def __init__(self, elem_type: int, items: list):
        self.elem_type, self.items = elem_type, items

    def __repr__(self):
        return f"List({self.elem_type}, {self.items!r})"


class _Reader:
    def __init__(self, buf, pos: int = 0):
        self.buf, self.pos = buf, pos

    def byte(self) -> int:
        v = self.buf[self.pos]
        self.pos += 1
        return v

    def varint(self) -> int:
        shift = result = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def value(self, t: int):
        if t == BOOL_TRUE:
            return True
        if t == BOOL_FALSE:
            return False
        if t == BYTE:
            return struct.unpack("b", bytes([self.byte()]))[0]
        if t in (I16, I32, I64):
            return self.zigzag()
        if t == DOUBLE:
            self.pos += 8
            return struct.unpack("<d", self.buf[self.pos - 8:self.pos])[0]
        if t == BINARY:
            n = self.varint()
            self.pos += n
            return bytes(self.buf[self.pos - n:self.pos])
        if t in (LIST, SET):
            head = self.byte()
            n, et = head >> 4, head & 0xF
            if n == 15:
                n = self.varint()
            if et in (BOOL_TRUE, BOOL_FALSE):
                return List(et, [self.byte() == 1 for _ in range(n)])
            return List(et, [self.value(et) for _ in range(n)])
        if t == STRUCT:
            return self.struct()
        raise ValueError(f"compact type {t} not supported")

    def struct(self) -> Struct:
        s, last = Struct(), 0
        while True:
            head = self.byte()
            if head == 0:
                return s
            t, delta = head & 0xF, head >> 4
            fid = last + delta if delta else self.zigzag()
            s.append(Field(fid, t, self.value(t)))
            last = fid


class _Writer:
    def __init__(self):
        self.out = bytearray()

    def varint(self, n: int):
        while n >= 0x80:
            self.out.append((n & 0x7F) | 0x80)
            n >>= 7
        self.out.append(n)

    def zigzag(self, n: int):
        self.varint((n << 1) ^ (n >> 63))

    def value(self, t: int, v):
        if t in (BOOL_TRUE, BOOL_FALSE):
            return  # in the field header
        if t == BYTE:
            self.out += struct.pack("b", v)
        elif t in (I16, I32, I64):
            self.zigzag(v)
        elif t == DOUBLE:
            self.out += struct.pack("<d", v)
        elif t == BINARY:
            self.varint(len(v))
            self.out += v
        elif t in (LIST, SET):
            n = len(v.items)
            if n < 15:
                self.out.append((n << 4) | v.elem_type)
            else:
                self.out.append(0xF0 | v.elem_type)
                self.varint(n)
            for item in v.items:
                if v.elem_type in (BOOL_TRUE, BOOL_FALSE):
                    self.out.append(1 if item else 2)
                else:
                    self.value(v.elem_type, item)
        elif t == STRUCT:
            self.struct(v)
        else:
            raise ValueError(f"compact type {t} not supported")

    def struct(self, s: Struct):
        last = 0
        for f in s:
            t = f.type
            if t in (BOOL_TRUE, BOOL_FALSE):
                t = BOOL_TRUE if f.value else BOOL_FALSE
            delta = f.id - last
            if 0 < delta <= 15:
                self.out.append((delta << 4) | t)
            else:
                self.out.append(t)
                self.zigzag(f.id)
            self.value(t, f.value)
            last = f.id
        self.out.append(0)


def encode(s: Struct) -> bytes:
    w = _Writer()
    w.struct(s)
    return bytes(w.out)


class Page(NamedTuple):
    header: Struct
    data_start: int  # file offset of the page's data, just after its header
    data_len: int


class ParquetFile:
    """A Parquet file's bytes and decoded footer (`meta`, a FileMetaData struct)."""

    def __init__(self, path):
        self.path = Path(path)
        self.bytes = bytearray(self.path.read_bytes())
        assert self.bytes[:4] == b"PAR1" and self.bytes[-4:] == b"PAR1", path
        footer_len = struct.unpack("<I", self.bytes[-8:-4])[0]
        self.body = self.bytes[:-8 - footer_len]
        self.meta = _Reader(self.bytes, len(self.bytes) - 8 - footer_len).struct()

    def row_groups(self) -> list[Struct]:
        return self.meta.val(4).items

    def column_meta(self, rg: int, col: int) -> Struct:
        return self.row_groups()[rg].val(1).items[col].val(3)

    def pages(self, rg: int, col: int) -> list[Page]:
        m = self.column_meta(rg, col)
        start = m.val(9)
        if m.val(11):
            start = min(start, m.val(11))
        end, pos, out = start + m.val(7), start, []
        while pos < end:
            r = _Reader(self.bytes, pos)
            h = r.struct()
            out.append(Page(h, r.pos, h.val(3)))
            pos = r.pos + h.val(3)
        return out

    def save(self, path=None):
        """Writes body + the (edited) footer to path, by default over the file itself."""
        footer = encode(self.meta)
        Path(path or self.path).write_bytes(
            bytes(self.body) + footer + struct.pack("<I", len(footer)) + b"PAR1")


PageFn = Callable[[int, int, int, Struct, bytes], list[tuple[Struct, bytes]]]


def rewrite_pages(path, fn: PageFn) -> None:
    """Rebuilds the file at path in place: fn(row_group, column, page_index, header, data)
    returns the (header, data) pages to write in that page's place (the header may be edited,
    pages dropped or added). Page offsets and chunk sizes in the footer are recomputed; page
    indexes are dropped (their offsets would be wrong)."""
    pf = ParquetFile(path)
    body = bytearray(b"PAR1")
    for rgi, rg in enumerate(pf.row_groups()):
        chunks = rg.val(1).items
        rg_bytes = 0
        for ci, chunk in enumerate(chunks):
            m = chunk.val(3)
            new_pages = []
            for idx, page in enumerate(pf.pages(rgi, ci)):
                data = bytes(pf.bytes[page.data_start:page.data_start + page.data_len])
                new_pages += fn(rgi, ci, idx, page.header, data)
            start = len(body)
            dict_off = data_off = None
            for h, data in new_pages:
                if h.val(1) == DICTIONARY_PAGE and dict_off is None and data_off is None:
                    dict_off = len(body)
                elif h.val(1) in (DATA_PAGE, DATA_PAGE_V2) and data_off is None:
                    data_off = len(body)
                body += encode(h) + data
            m.set(9, start if data_off is None else data_off, I64)
            if dict_off is None:
                m.remove(11)
            else:
                m.set(11, dict_off, I64)
            m.set(7, len(body) - start, I64)
            chunk.set(2, start, I64)
            for fid in (4, 5, 6, 7):
                chunk.remove(fid)
            rg_bytes += len(body) - start
        rg.set(6, rg_bytes, I64)
        rg.set(5, chunks[0].val(2), I64)
    pf.body = body
    pf.save()
