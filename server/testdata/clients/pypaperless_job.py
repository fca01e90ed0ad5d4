"""Drive pypaperless (unmodified, from PyPI) through a whole job against Quire.

Environment: QUIRE_BASE_URL, QUIRE_TOKEN, CLIENT_FIXTURE (JSON written by
server/clients_test.go: seeded documents, a tag, the file to upload).
Every step runs even after one fails; the last line of stdout is
{"ok": bool, "steps": [{"name", "ok", "error"}], "result": {...}} for the
Go test, which checks the effects itself.
"""

import asyncio
import json
import os
import sys
import traceback

from pypaperless import PaperlessClient
from pypaperless.exceptions import NotFoundError

BASE = os.environ["QUIRE_BASE_URL"]
TOKEN = os.environ["QUIRE_TOKEN"]
FX = json.loads(os.environ["CLIENT_FIXTURE"])

steps = []
result = {}


async def step(name, fn):
    try:
        await fn()
        steps.append({"name": name, "ok": True})
    except Exception as exc:  # every failure is reported, the next step still runs
        traceback.print_exc(file=sys.stderr)
        steps.append({"name": name, "ok": False, "error": f"{type(exc).__name__}: {exc}"})


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


async def main():
    async with PaperlessClient(BASE, TOKEN, timeout=60) as pl:

        async def connect():
            result["api_version"] = pl.host_api_version
            result["host_version"] = pl.host_version
            check(pl.is_initialized, "not initialised")

        async def list_documents():
            docs = await pl.documents.as_list()
            titles = sorted(d.title for d in docs)
            result["listed"] = titles
            check(titles == sorted(FX["titles"]), f"listed {titles}")
            tags = await pl.tags.as_list()
            check(any(t.id == FX["tag"] for t in tags), f"tag {FX['tag']} not among {[t.id for t in tags]}")
            corrs = await pl.correspondents.as_list()
            check(len(corrs) >= 1, "no correspondents")
            await pl.document_types.as_list()
            asn = await pl.documents.get_next_asn()
            check(asn == 1, f"next ASN {asn!r} (no document has one)")

        async def filter_documents():
            async with pl.documents.filter(title__icontains=FX["filter_word"]) as f:
                got = [d.title async for d in f]
            check(got == [FX["filter_title"]], f"title__icontains={FX['filter_word']!r}: {got}")
            async with pl.documents.filter(tags__id__all=str(FX["tag"])) as f:
                tagged = sorted([d.title async for d in f])
            check(tagged == sorted(FX["tagged_titles"]), f"tags__id__all: {tagged}")

        async def search_documents():
            got = [d.title async for d in pl.documents.search(FX["search_word"])]
            check(got == [FX["search_title"]], f"query={FX['search_word']!r}: {got}")

        async def read_document():
            doc = await pl.documents(FX["read_id"])
            check(doc.title == FX["read_title"], f"title {doc.title!r}")
            check(FX["read_text"] in (doc.content or ""), f"content {doc.content!r}")
            check(doc.custom_fields is not None and doc.custom_fields.root == [], f"custom_fields {doc.custom_fields!r}")
            notes = await pl.documents.notes(FX["read_id"])
            check(list(notes) == [], f"notes {notes!r}")
            meta = await pl.documents.metadata(FX["read_id"])
            check(meta.original_checksum and meta.original_mime_type == "text/plain" and meta.original_filename == FX["read_file"],
                  f"metadata {meta!r}")

        async def download_document():
            dl = await pl.documents.download(FX["read_id"], original=True)
            check(dl.content == FX["read_bytes"].encode(), f"downloaded {dl.content[:80]!r}")
            check(dl.disposition_filename, f"no file name in {dl!r}")
            result["download_type"] = dl.content_type

        async def upload_document():
            with open(FX["upload_path"], "rb") as fh:
                data = fh.read()
            draft = pl.documents.create(document=data, filename=os.path.basename(FX["upload_path"]), title=FX["upload_title"], tags=[FX["tag"]])
            task_id = await pl.save(draft)
            check(isinstance(task_id, str) and task_id, f"task id {task_id!r}")
            result["task_id"] = task_id
            for _ in range(600):
                task = await pl.tasks(task_id)
                status = str(task.status.value if hasattr(task.status, "value") else task.status).upper()
                if status in ("SUCCESS", "FAILURE"):
                    break
                await asyncio.sleep(0.2)
            check(status == "SUCCESS", f"task {task!r}")
            check(task.related_document_ids, f"task has no document: {task!r}")
            result["uploaded_id"] = task.related_document_ids[0]
            doc = await pl.documents(result["uploaded_id"])
            check(doc.title == FX["upload_title"], f"uploaded title {doc.title!r}")

        async def edit_tags():
            did = FX["edit_id"]
            await pl.documents.bulk_edit.add_tag([did], FX["tag"])
            doc = await pl.documents(did)
            check(FX["tag"] in doc.tags, f"after add_tag: {doc.tags}")
            await pl.documents.bulk_edit.modify_tags([did], add_tags=[FX["tag2"]], remove_tags=[FX["tag"]])
            doc = await pl.documents(did)
            check(doc.tags == [FX["tag2"]], f"after modify_tags: {doc.tags}")
            doc.title = FX["edit_title"]
            doc.tags = [FX["tag"], FX["tag2"]]
            check(await pl.update(doc), "update sent nothing")
            doc = await pl.documents(did)
            check(sorted(doc.tags) == sorted([FX["tag"], FX["tag2"]]) and doc.title == FX["edit_title"], f"after PATCH: {doc.title!r} {doc.tags}")

        async def tag_objects():
            draft = pl.tags.create(name=FX["new_tag"], color="#ff0000", is_inbox_tag=False, match="",
                                   matching_algorithm=0, is_insensitive=True)
            tid = await pl.save(draft)
            check(isinstance(tid, int), f"new tag id {tid!r}")
            tag = await pl.tags(tid)
            check(tag.name == FX["new_tag"] and tag.color == "#ff0000", f"new tag {tag!r}")
            tag.name = FX["new_tag"] + " (renamed)"
            check(await pl.update(tag), "tag update sent nothing")
            check((await pl.tags(tid)).name == FX["new_tag"] + " (renamed)", "tag not renamed")
            await pl.delete(tag)
            try:
                await pl.tags(tid)
            except NotFoundError:
                return
            raise AssertionError("deleted tag still found")

        async def custom_fields():
            fields = await pl.custom_fields.as_list()
            check(fields == [], f"custom fields {fields!r}")
            async with pl.custom_fields.filter(name__icontains="amount") as f:
                got = [c async for c in f]
            check(got == [], f"filtered custom fields {got!r}")
            await pl.documents.bulk_edit.modify_custom_fields([FX["edit_id"]], add_custom_fields=[], remove_custom_fields=[])
            doc = await pl.documents(FX["edit_id"])
            check(doc.custom_fields is not None and doc.custom_fields.root == [], f"custom_fields {doc.custom_fields!r}")

        async def delete_document():
            doc = await pl.documents(FX["delete_id"])
            await pl.delete(doc)
            try:
                await pl.documents(FX["delete_id"])
            except NotFoundError:
                return
            raise AssertionError("deleted document still found")

        await step("connect", connect)
        await step("list", list_documents)
        await step("filter", filter_documents)
        await step("search", search_documents)
        await step("read", read_document)
        await step("download", download_document)
        await step("upload", upload_document)
        await step("edit tags", edit_tags)
        await step("tag objects", tag_objects)
        await step("custom fields", custom_fields)
        await step("delete", delete_document)


try:
    asyncio.run(main())
except Exception as exc:
    traceback.print_exc(file=sys.stderr)
    steps.append({"name": "client", "ok": False, "error": f"{type(exc).__name__}: {exc}"})
print(json.dumps({"ok": bool(steps) and all(s["ok"] for s in steps), "steps": steps, "result": result}))
