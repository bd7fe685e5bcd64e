// A SCIM 2.0 app built on SCIMMY (npm), an independent implementation to test scimcheck on.
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";
import {randomUUID} from "node:crypto";

const [port, token] = process.argv.slice(2);
const stores = {Users: new Map(), Groups: new Map()};

function handlers(kind) {
    const store = stores[kind];
    return {
        ingress: (resource, data) => {
            const id = resource.id ?? randomUUID();
            if (resource.id && !store.has(id)) throw new SCIMMY.Types.Error(404, null, `${kind} ${id} not found`);
            if (kind === "Users") {
                const clash = [...store.values()].find(u => u.id !== id && u.userName?.toLowerCase() === data.userName?.toLowerCase());
                if (clash) throw new SCIMMY.Types.Error(409, "uniqueness", "userName is taken");
            }
            const now = new Date().toISOString();
            const previous = store.get(id);
            const stored = {...data, id, meta: {created: previous?.meta?.created ?? now, lastModified: now}};
            store.set(id, stored);
            return stored;
        },
        egress: (resource) => {
            if (resource.id) {
                const found = store.get(resource.id);
                if (!found) throw new SCIMMY.Types.Error(404, null, `${kind} ${resource.id} not found`);
                return found;
            }
            const all = [...store.values()];
            return resource.filter ? resource.filter.match(all) : all;
        },
        degress: (resource) => {
            if (!store.delete(resource.id)) throw new SCIMMY.Types.Error(404, null, `${kind} ${resource.id} not found`);
        },
    };
}

SCIMMY.Resources.declare(SCIMMY.Resources.User, handlers("Users"));
SCIMMY.Resources.declare(SCIMMY.Resources.Group, handlers("Groups"));
const app = express();
app.use("/scim/v2", new SCIMMYRouters({
    type: "bearer",
    handler: (request) => {
        if (request.header("Authorization") !== `Bearer ${token}`) throw new Error("Authorization failure");
        return "scimcheck";
    },
}));
app.listen(Number(port), "127.0.0.1", () => console.log(`http://127.0.0.1:${port}/scim/v2`));
