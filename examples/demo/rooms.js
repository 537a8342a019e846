'use strict';

// Room logic of the multiplayer music server, in two versions: the legacy
// handlers that run in production and the rewritten ones being migrated to.
// Both versions work on a RoomStore so that the live server can switch one
// route from the legacy to the new handler without losing rooms.

const { setTimeout: sleep } = require('node:timers/promises');

const MAX_ROOMS = 100;
const MAX_MEMBERS = 64;
const LOBBY_ID = 'lobby';
const SYNTH_PARAM_NAMES = ['cutoff', 'resonance', 'attack', 'release', 'volume'];

class RoomStore {
  constructor() {
    this.rooms = new Map();
    this.roomNames = new Set();
    this.nextRoomNumber = 1;
    this.insertRoom({ id: LOBBY_ID, name: 'Lobby', isPrivate: false, ownerId: 'server' });
  }

  // Adds a room and evicts the oldest one (never the lobby) beyond MAX_ROOMS,
  // the way the real server drops rooms that everyone has left.
  addRoom({ name, isPrivate, ownerId }) {
    const id = `room-${this.nextRoomNumber}`;
    this.nextRoomNumber += 1;
    const room = this.insertRoom({ id, name, isPrivate, ownerId });

    if (this.rooms.size > MAX_ROOMS) {
      for (const oldest of this.rooms.values()) {
        if (oldest.id !== LOBBY_ID) {
          this.removeRoom(oldest.id);
          break;
        }
      }
    }
    return room;
  }

  insertRoom({ id, name, isPrivate, ownerId }) {
    const room = { id, name, isPrivate, ownerId, members: new Map(), synth: {} };
    this.rooms.set(id, room);
    this.roomNames.add(name);
    return room;
  }

  removeRoom(id) {
    const room = this.rooms.get(id);
    if (room) {
      this.rooms.delete(id);
      this.roomNames.delete(room.name);
    }
  }

  listPublicRooms(limit) {
    const rooms = [];
    for (const room of this.rooms.values()) {
      if (rooms.length >= limit) break;
      if (!room.isPrivate) rooms.push(describeRoom(room));
    }
    return rooms;
  }
}

function describeRoom(room) {
  return {
    id: room.id,
    name: room.name,
    isPrivate: room.isPrivate,
    ownerId: room.ownerId,
    memberCount: room.members.size,
  };
}

function addMember(room, userId, name) {
  if (!room.members.has(userId) && room.members.size >= MAX_MEMBERS) {
    return { error: `room ${room.id} is full` };
  }
  room.members.set(userId, { userId, name });
  return null;
}

// Builds the SDP answer the server relays back; the demo does no real WebRTC.
function answerFor(offerSdp) {
  return offerSdp.replace('a=setup:actpass', 'a=setup:active');
}

class LegacyRoomHandlers {
  constructor(store = new RoomStore()) {
    this.store = store;
  }

  handleCreateRoom(data = {}) {
    const name = String(data.name ?? 'Untitled room');

    // The legacy code finds name clashes by scanning every room.
    const taken = [...this.store.rooms.values()].some((room) => room.name === name);
    if (taken) return { error: `a room named "${name}" already exists` };

    const room = this.store.addRoom({
      name,
      isPrivate: Boolean(data.isPrivate),
      ownerId: String(data.ownerId ?? 'anonymous'),
    });
    return { room: describeRoom(room) };
  }

  handleJoinRoom(data = {}) {
    const room = this.store.rooms.get(data.roomId);
    if (!room) return { error: `room ${data.roomId} not found` };

    const userId = String(data.userId ?? 'anonymous');
    const name = String(data.name ?? userId);
    const failure = addMember(room, userId, name);
    if (failure) return failure;
    return { roomId: room.id, member: { userId, name }, memberCount: room.members.size };
  }

  handleJoinVoice(data = {}) {
    const offer = data.offer ?? { type: 'offer', sdp: '' };
    return {
      roomId: data.roomId,
      userId: data.userId,
      answer: { type: 'answer', sdp: answerFor(String(offer.sdp)) },
    };
  }

  handleUpdateSynthParams(data = {}) {
    const room = this.store.rooms.get(data.roomId);
    if (!room) return { error: `room ${data.roomId} not found` };

    const params = { ...data.params };
    room.synth[data.userId] = params;
    return { roomId: room.id, userId: data.userId, params };
  }
}

// The rewritten handlers: the same results as the legacy ones except where a
// comment says otherwise, at a slightly different cost.
class MigratedRoomHandlers {
  // storeLatencyMs: [min, max] of the simulated wait for the membership write.
  constructor(store = new RoomStore(), { storeLatencyMs = [80, 200] } = {}) {
    this.store = store;
    this.storeLatencyMs = storeLatencyMs;
  }

  handleCreateRoom(data = {}) {
    const name = String(data.name ?? 'Untitled room');

    // A name index replaces the legacy scan, so this one is cheaper.
    if (this.store.roomNames.has(name)) return { error: `a room named "${name}" already exists` };

    const room = this.store.addRoom({
      name,
      isPrivate: Boolean(data.isPrivate),
      ownerId: String(data.ownerId ?? 'anonymous'),
    });
    return { room: describeRoom(room) };
  }

  // Slower than the legacy version: it waits for the membership to be written
  // to the room store before it answers.
  async handleJoinRoom(data = {}) {
    const room = this.store.rooms.get(data.roomId);
    if (!room) return { error: `room ${data.roomId} not found` };

    const userId = String(data.userId ?? 'anonymous');
    const name = String(data.name ?? userId);
    await this.writeMembership();

    const failure = addMember(room, userId, name);
    if (failure) return failure;
    return { roomId: room.id, member: { userId, name }, memberCount: room.members.size };
  }

  async writeMembership() {
    const [min, max] = this.storeLatencyMs;
    await sleep(min + Math.random() * (max - min));
  }

  // Parses the offer into SDP lines before answering, which costs a little
  // more than the legacy string replace and gives the same answer.
  handleJoinVoice(data = {}) {
    const offer = data.offer ?? { type: 'offer', sdp: '' };
    const lines = String(offer.sdp).split('\r\n');
    const answerLines = lines.map((line) => (line === 'a=setup:actpass' ? 'a=setup:active' : line));
    return {
      roomId: data.roomId,
      userId: data.userId,
      answer: { type: 'answer', sdp: answerLines.join('\r\n') },
    };
  }

  // Functional difference: numeric parameters are clamped to [0, 1], where
  // the legacy handler stored whatever the client sent.
  handleUpdateSynthParams(data = {}) {
    const room = this.store.rooms.get(data.roomId);
    if (!room) return { error: `room ${data.roomId} not found` };

    const params = structuredClone(data.params ?? {});
    for (const key of SYNTH_PARAM_NAMES) {
      if (typeof params[key] === 'number') params[key] = Math.min(1, Math.max(0, params[key]));
    }
    room.synth[data.userId] = params;
    return { roomId: room.id, userId: data.userId, params };
  }
}

module.exports = { RoomStore, LegacyRoomHandlers, MigratedRoomHandlers, LOBBY_ID };
