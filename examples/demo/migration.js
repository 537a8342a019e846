'use strict';

// The handler migration checks: the legacy and the migrated room handlers,
// each on its own empty store, compared through the service's test harness.

const { LegacyRoomHandlers, MigratedRoomHandlers, RoomStore, LOBBY_ID } = require('./rooms');

const SDP_OFFER = 'v=0\r\no=- 7 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=setup:actpass\r\n';
const MIB = 1024 * 1024;
const WARM_UP_CALLS = 200;

// The migration tests that setupMigrationPerformanceMonitoring registers,
// with the same names and limits, driving this app's handlers with sample
// arguments.
const MIGRATION_TESTS = [
  {
    name: 'room_creation_performance',
    description: 'Room creation: legacy vs migrated handleCreateRoom',
    method: 'handleCreateRoom',
    maxResponseTime: 50,
    maxMemoryIncrease: 5 * MIB,
    args: [{ name: 'Friday jam', isPrivate: false, ownerId: 'user-1' }],
  },
  {
    name: 'voice_connection_performance',
    description: 'Voice connection: legacy vs migrated handleJoinVoice',
    method: 'handleJoinVoice',
    maxResponseTime: 100,
    maxMemoryIncrease: 10 * MIB,
    args: [{ roomId: LOBBY_ID, userId: 'user-1', offer: { type: 'offer', sdp: SDP_OFFER } }],
  },
  {
    name: 'member_management_performance',
    description: 'Member management: legacy vs migrated handleJoinRoom',
    method: 'handleJoinRoom',
    maxResponseTime: 75,
    maxMemoryIncrease: 3 * MIB,
    args: [{ roomId: LOBBY_ID, userId: 'user-2', name: 'Ada' }],
  },
  {
    name: 'audio_routing_performance',
    description: 'Audio routing: legacy vs migrated handleUpdateSynthParams',
    method: 'handleUpdateSynthParams',
    maxResponseTime: 25,
    maxMemoryIncrease: 1 * MIB,
    // volume 1.25 is out of range: the migrated handler clamps it to 1.
    args: [{ roomId: LOBBY_ID, userId: 'user-1', params: { cutoff: 0.4, resonance: 0.2, volume: 1.25 } }],
  },
];

// The harness times a single call of each side, so without a warm-up the
// JIT compiling the handler's first calls would dominate both timings.
async function warmUp() {
  const implementations = [
    new LegacyRoomHandlers(new RoomStore()),
    new MigratedRoomHandlers(new RoomStore(), { storeLatencyMs: [0, 0] }),
  ];
  for (const handlers of implementations) {
    for (let call = 0; call < WARM_UP_CALLS; call += 1) {
      for (const test of MIGRATION_TESTS) await handlers[test.method](...structuredClone(test.args));
    }
  }
}

/**
 * Registers the legacy and migrated handlers on the service's harness and
 * one regression test per migrated method on its detector.
 */
async function registerMigrationTests(service) {
  await warmUp();

  const harness = service.getTestHarness();
  harness.registerImplementations(
    new LegacyRoomHandlers(new RoomStore()),
    new MigratedRoomHandlers(new RoomStore()),
  );

  const detector = service.getRegressionDetector();
  for (const test of MIGRATION_TESTS) {
    detector.registerTest({
      name: test.name,
      description: test.description,
      testFunction: () => harness.executeParallel(test.method, test.args, `${test.name}_${Date.now()}`),
      expectedPerformance: {
        maxResponseTime: test.maxResponseTime,
        maxMemoryIncrease: test.maxMemoryIncrease,
      },
      enabled: true,
    });
  }
}

module.exports = { registerMigrationTests, MIGRATION_TESTS };
