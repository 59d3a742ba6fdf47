// One MongoDB user per service, allowed readWrite on its own database only (issue 12 point 9).
// docker-compose.yml mounts this into the mongo image's /docker-entrypoint-initdb.d, which runs it once, as the
// root user, when the data volume is empty. It creates a user or updates its password and roles, so it can be
// run again on an existing volume: see deploy/env.example (MONGO_ROOT_PASSWORD).
// Passwords come from the environment (MONGO_<SERVICE>_PASSWORD); a missing one stops the start.
const SERVICES = ["households", "volunteers", "drills", "mediation", "gateway"];

for (const name of SERVICES) {
  const variable = `MONGO_${name.toUpperCase()}_PASSWORD`;
  const pwd = process.env[variable];
  if (!pwd) {
    throw new Error(`${variable} is not set`);
  }
  const database = db.getSiblingDB(`grid_${name}`);
  const spec = { pwd, roles: [{ role: "readWrite", db: `grid_${name}` }] };
  if (database.getUser(name)) {
    database.updateUser(name, spec);
  } else {
    database.createUser({ user: name, ...spec });
  }
  print(`MongoDB user ${name}: readWrite on grid_${name}`);
}
