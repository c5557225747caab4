// A real SMPP 3.4 server (SMSC) for the tests, on the maintained `smpp` npm package.
// Started by testsupport/smpp.py: `node testsupport/smpp_server.js PORT SYSTEM_ID PASSWORD`
// (PORT 0: any free port). It speaks JSON lines: on stdout what happened
// ({"event": "listening", "port": N}, "bind", "submit", "receipt_sent"), on stdin what to do
// next ({"cmd": "throttle", "count": N}, {"cmd": "refuse", "destination": "48..."},
// {"cmd": "receipt", "id": "...", "stat": "DELIVRD"}: to a receiver bind, else a
// transceiver, else the next one that binds; {"cmd": "auto_receipts", "on": true}: a
// receipt for each message at once, as a fast SMSC).
"use strict";

const readline = require("readline");
const smpp = require("smpp");

const [port, systemId, password] = [Number(process.argv[2] || 0), process.argv[3], process.argv[4]];
const prefix = Math.random().toString(36).slice(2, 8);
let counter = 0;
let throttle = 0;
let autoReceipts = false; // a receipt for each message that asks for one, at once
const refused = new Set();
const pending = [];
const sessions = new Set(); // bound sessions: {session, mode}

function say(event) {
  process.stdout.write(JSON.stringify(event) + "\n");
}

function hex(buffer) {
  return Buffer.from(buffer).toString("hex");
}

const server = smpp.createServer({ debug: false }, (session) => {
  const entry = { session, mode: null };
  for (const mode of ["transceiver", "receiver", "transmitter"]) {
    session.on("bind_" + mode, (pdu) => {
      if (pdu.system_id !== systemId || pdu.password !== password) {
        session.send(pdu.response({ command_status: smpp.ESME_RBINDFAIL }));
        say({ event: "bind_refused", mode, system_id: pdu.system_id });
        session.close();
        return;
      }
      entry.mode = mode;
      sessions.add(entry);
      session.send(pdu.response());
      say({ event: "bind", mode, system_id: pdu.system_id });
      if (mode !== "transmitter") pending.splice(0).forEach(receipt);
    });
  }
  session.on("submit_sm", (pdu) => {
    if (throttle > 0) {
      throttle -= 1;
      session.send(pdu.response({ command_status: smpp.ESME_RTHROTTLED }));
      say({ event: "throttled", destination: pdu.destination_addr });
      return;
    }
    if (refused.has(pdu.destination_addr)) {
      session.send(pdu.response({ command_status: smpp.ESME_RINVDSTADR }));
      say({ event: "refused", destination: pdu.destination_addr });
      return;
    }
    counter += 1;
    const id = prefix + "-" + counter;
    const body = pdu.short_message || {};
    say({
      event: "submit",
      id,
      source: pdu.source_addr,
      destination: pdu.destination_addr,
      data_coding: pdu.data_coding,
      esm_class: pdu.esm_class,
      registered_delivery: pdu.registered_delivery,
      udh: (body.udh || []).map(hex),
      message: typeof body === "string" ? body : String(body.message || ""),
    });
    session.send(pdu.response({ message_id: id }));
    if (autoReceipts && pdu.registered_delivery & 1) {
      setImmediate(() => receipt({ id, destination: pdu.destination_addr, quiet: true }));
    }
  });
  session.on("enquire_link", (pdu) => session.send(pdu.response()));
  session.on("unbind", (pdu) => {
    session.send(pdu.response());
    sessions.delete(entry);
    session.close();
  });
  session.on("close", () => sessions.delete(entry));
  session.on("error", () => sessions.delete(entry));
});

function receipt(command) {
  const targets = [...sessions].filter((s) => s.mode === "receiver");
  const target = targets[0] || [...sessions].find((s) => s.mode === "transceiver");
  if (!target) {
    pending.push(command); // sent to the next bind that can receive it
    if (!command.quiet) say({ event: "receipt_pending", id: command.id });
    return;
  }
  const stat = command.stat || "DELIVRD";
  const states = { DELIVRD: 2, EXPIRED: 3, DELETED: 4, UNDELIV: 5, REJECTD: 8 };
  const text =
    `id:${command.id} sub:001 dlvrd:${stat === "DELIVRD" ? "001" : "000"} ` +
    `submit date:2612071000 done date:2612071001 stat:${stat} err:${command.err || "000"} text:`;
  const fields = {
    source_addr: command.destination || "",
    destination_addr: "Dziennik",
    esm_class: 4,
    short_message: text,
  };
  if (!command.text_only) {
    fields.receipted_message_id = command.id;
    fields.message_state = states[stat] || 5;
  }
  target.session.deliver_sm(fields, (answer) => {
    if (command.quiet) return;
    say({ event: "receipt_sent", id: command.id, status: answer.command_status, mode: target.mode });
  });
}

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const command = JSON.parse(line);
  if (command.cmd === "throttle") throttle = command.count;
  else if (command.cmd === "refuse") refused.add(command.destination);
  else if (command.cmd === "receipt") receipt(command);
  else if (command.cmd === "auto_receipts") autoReceipts = command.on;
  say({ event: "done", cmd: command.cmd });
});
process.stdin.on("end", () => process.exit(0));

server.listen(port, "127.0.0.1", () => say({ event: "listening", port: server.address().port }));
