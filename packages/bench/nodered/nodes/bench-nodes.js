// Harness nodes for tagflow's Node-RED comparison (loaded through settings.nodesDir by nr-child.cjs).
// tagflow-bench-source: exposes its node.send to the harness (globalThis.__tagflowBenchSend);
//   the harness decides the pacing (see src/child-harness.ts).
// tagflow-bench-sink: a plain-JS terminal node that hands every message to the harness, the
//   counterpart of tagflow's counting sink (a function-node sink would add Node-RED's vm cost).
module.exports = function (RED) {
  function Source(config) {
    RED.nodes.createNode(this, config);
    globalThis.__tagflowBenchSend = (msg) => this.send(msg);
  }
  RED.nodes.registerType('tagflow-bench-source', Source);

  function Sink(config) {
    RED.nodes.createNode(this, config);
    this.on('input', (msg, send, done) => {
      globalThis.__tagflowBenchHit(msg);
      done();
    });
  }
  RED.nodes.registerType('tagflow-bench-sink', Sink);
};
