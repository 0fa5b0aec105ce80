/**
 * Imported before BullMQ: msgpackr, which BullMQ uses to pack job data, loads the native addon of
 * its optional `msgpackr-extract` dependency when it is installed. shardprop runs on JavaScript and
 * WebAssembly only, so the pure-JS path is chosen (msgpackr reads this variable when it loads).
 */
process.env.MSGPACKR_NATIVE_ACCELERATION_DISABLED = 'true';
