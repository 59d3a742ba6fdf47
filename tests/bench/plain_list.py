"""The comparison point: the same households page served by bare Flask + pymongo, no framework layers."""
import os

from flask import Flask, jsonify, request
from pymongo import MongoClient

from shared.validators import mask_id_number, mask_phone

app = Flask(__name__)
households = MongoClient(os.environ["MONGO_URL"])[os.environ["HOUSEHOLDS_MONGO_DB"]]["households"]


@app.get("/healthz")
def healthz():
    return "ok"


@app.get("/households")
def list_households():
    grid, size = request.args["grid_id"], int(request.args.get("page_size", 50))
    where = {"grid_id": grid, "status": "active"}
    rows = households.find(where, {"history": 0, "outbox": 0}).sort("address_sort", 1).limit(size)
    items = [{"id": str(h["_id"]), "grid_id": h["grid_id"], "address": h["address"], "status": h["status"],
              "phone": mask_phone(h.get("phone")),
              "residents": [{**{k: r.get(k) for k in ("resident_id", "name", "relation")},
                             "id_number": mask_id_number(r.get("id_number")), "phone": mask_phone(r.get("phone"))}
                            for r in h["residents"]]} for h in rows]
    return jsonify(items=items, total=households.count_documents(where))
