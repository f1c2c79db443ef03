`default_nettype none
// Simulation-only bulk harness around gemm_core: Python writes operand files once, the harness
// runs a whole sequence of tiles with no Python in the per-cycle loop, and dumps the results.
//
// Files, in the simulator's working directory, loaded when `start` pulses:
//   core_a.hex   tiles*K entries of A panels (entry t*K + k = column k of tile t, ARRAY_N bytes)
//   core_b.hex   tiles*K entries of B panels (entry t*K + k = row k of tile t)
//   core_p.hex   one param entry (bias/scale lanes) used by every tile
//   core_out.hex written at the end: tiles*ARRAY_N result rows (row r of tile t at t*N + r)
// The run's shape and knobs are the cfg_* inputs, set by Python before `start`.
//
// Double buffering: tile t uses buffer region (t mod 2) * K. The loader writes region of tile
// t+1 (A and B ports in parallel, one entry per cycle) starting the cycle after tile t is
// accepted, when the core has finished reading tile t-1 from that region. Commands are
// offered as soon as their region is being loaded: entry k is written K cycles before the
// core reads it.
// Cycle counts: first command accepted -> last result row out (docs/results_schema.md).
module core_harness #(
    parameter integer ARRAY_N   = 8,
    parameter integer BUF_DEPTH = 1024,
    parameter integer MAX_TILES = 128,
    parameter integer MAX_K     = 512
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        start,       // pulse: load files and run
    input  wire [15:0] cfg_tiles,
    input  wire [15:0] cfg_k,
    input  wire [5:0]  cfg_shift,
    input  wire [5:0]  cfg_flags,
    input  wire [7:0]  cfg_stall_pct, // res_ready is low this % of cycles (LFSR)
    input  wire [31:0] cfg_seed,      // LFSR seed, nonzero
    output reg         done,
    output reg  [31:0] cycles,      // first accept -> last row out
    output reg  [31:0] stall_cycles // cycles res_valid was held by res_ready low
);
    localparam integer AW = $clog2(BUF_DEPTH);
    localparam integer RW = $clog2(ARRAY_N);

    reg [ARRAY_N*8-1:0]  a_mem [0:MAX_TILES*MAX_K-1];
    reg [ARRAY_N*8-1:0]  b_mem [0:MAX_TILES*MAX_K-1];
    reg [ARRAY_N*64-1:0] p_mem [0:0];
    reg [ARRAY_N*32-1:0] out_mem [0:MAX_TILES*ARRAY_N-1];

    integer tiles, k_len, shift, flags, stall_pct;
    reg [31:0] lfsr;

    // core ports
    reg                   a_wr_en, b_wr_en, p_wr_en;
    reg  [AW-1:0]         a_wr_addr, b_wr_addr;
    reg  [ARRAY_N*8-1:0]  a_wr_data, b_wr_data;
    reg                   cmd_valid;
    wire                  cmd_ready;
    reg  [AW-1:0]         cmd_base;
    reg                   res_ready;
    wire                  res_valid, res_last;
    wire [ARRAY_N*32-1:0] res_data;
    wire [15:0]           res_tag;
    wire [RW-1:0]         res_row;
    wire                  err_valid, busy;
    wire [3:0]            err_code;
    wire [31:0]           tiles_done, active_cycles;

    gemm_core #(.ARRAY_N(ARRAY_N), .BUF_DEPTH(BUF_DEPTH)) u_core (
        .clk(clk), .rst(rst),
        .a_wr_en(a_wr_en), .a_wr_addr(a_wr_addr), .a_wr_data(a_wr_data),
        .b_wr_en(b_wr_en), .b_wr_addr(b_wr_addr), .b_wr_data(b_wr_data),
        .p_wr_en(p_wr_en), .p_wr_addr(4'd0), .p_wr_data(p_mem[0]),
        .cmd_valid(cmd_valid), .cmd_ready(cmd_ready),
        .cmd_a_base(cmd_base), .cmd_b_base(cmd_base), .cmd_k(k_len[15:0]),
        .cmd_p_addr(4'd0), .cmd_shift(shift[5:0]), .cmd_flags(flags[5:0]),
        .cmd_tag(cmd_tag),
        .res_valid(res_valid), .res_ready(res_ready), .res_data(res_data), .res_tag(res_tag),
        .res_row(res_row), .res_last(res_last),
        .err_valid(err_valid), .err_code(err_code),
        .busy(busy), .issuing(), .tiles_done(tiles_done), .active_cycles(active_cycles));

    reg [15:0] cmd_tag;
    reg        dump_pending;
    integer load_tile, load_k, loading, rows_out, running, timing, accepted;

    always @(posedge clk) begin
        if (rst) begin
            done <= 1'b0; running = 0; timing = 0; dump_pending <= 1'b0;
            a_wr_en <= 1'b0; b_wr_en <= 1'b0; p_wr_en <= 1'b0;
            cmd_valid <= 1'b0; res_ready <= 1'b0; cmd_tag <= 16'd0; cmd_base <= {AW{1'b0}};
            cycles <= 32'd0; stall_cycles <= 32'd0;
        end else if (dump_pending) begin
            // one cycle after the last row so its out_mem write has landed
            $writememh("core_out.hex", out_mem, 0, tiles * ARRAY_N - 1);
            dump_pending <= 1'b0;
            done <= 1'b1;
            res_ready <= 1'b0;
        end else if (start && !running) begin
            tiles = cfg_tiles; k_len = cfg_k; shift = cfg_shift; flags = cfg_flags;
            stall_pct = cfg_stall_pct; lfsr = (cfg_seed == 0) ? 32'h1 : cfg_seed;
            if (tiles > MAX_TILES || k_len > MAX_K || 2 * k_len > BUF_DEPTH)
                $fatal(1, "core_harness: TILES/K beyond MAX_TILES/MAX_K/BUF_DEPTH");
            $readmemh("core_a.hex", a_mem, 0, tiles * k_len - 1);
            $readmemh("core_b.hex", b_mem, 0, tiles * k_len - 1);
            $readmemh("core_p.hex", p_mem);
            p_wr_en <= 1'b1;
            running = 1; load_tile = 0; load_k = 0; loading = 0; rows_out = 0; timing = 0;
            accepted = 0;
            cmd_tag <= 16'd0;
        end else if (running) begin
            p_wr_en <= 1'b0;
            // cycle count: edges after the first accept up to and including the last row out
            if (timing) cycles <= cycles + 32'd1;
            // loader: tile L uses region L mod 2, last read by tile L-2, which has finished
            // reading once tile L-1 is accepted; so load tile L once accepted >= L - 1.
            a_wr_en <= 1'b0; b_wr_en <= 1'b0;
            if (!loading && load_tile < tiles && accepted + 1 >= load_tile) loading = 1;
            if (loading) begin
                a_wr_en   <= 1'b1; b_wr_en <= 1'b1;
                a_wr_addr <= (load_tile % 2) * k_len + load_k;
                b_wr_addr <= (load_tile % 2) * k_len + load_k;
                a_wr_data <= a_mem[load_tile * k_len + load_k];
                b_wr_data <= b_mem[load_tile * k_len + load_k];
                if (load_k == k_len - 1) begin
                    loading = 0; load_k = 0; load_tile = load_tile + 1;
                end else load_k = load_k + 1;
            end
            // offer the next command once its first entry has been written (never the same
            // edge as the core's first read of it)
            if (cmd_valid && cmd_ready) begin
                cmd_valid <= 1'b0;
                cmd_tag   <= cmd_tag + 16'd1;
                accepted = accepted + 1;
                if (!timing) timing = 1;
            end else if (!cmd_valid && cmd_tag < tiles &&
                         (load_tile > cmd_tag || (load_tile == cmd_tag && load_k >= 2))) begin
                cmd_valid <= 1'b1;
                cmd_base  <= (cmd_tag % 2) * k_len;
            end
            // results
            if (res_valid && !res_ready) stall_cycles <= stall_cycles + 32'd1;
            if (res_valid && res_ready) begin
                out_mem[res_tag * ARRAY_N + res_row] <= res_data;
                rows_out = rows_out + 1;
                if (rows_out == tiles * ARRAY_N) begin
                    running = 0; timing = 0; dump_pending <= 1'b1;
                end
            end
            lfsr = {lfsr[30:0], lfsr[31] ^ lfsr[21] ^ lfsr[1] ^ lfsr[0]};
            res_ready <= ((lfsr % 100) >= stall_pct);
        end
    end
endmodule
`default_nettype wire
