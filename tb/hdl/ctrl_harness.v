`default_nettype none
// Simulation-only harness: rtl/gemm_engine.v (controller, transposer, core) on an ideal
// request-level memory (no AXI): reads return one beat per cycle after READ_LATENCY cycles, in
// order; writes land with their strobes and are acknowledged in the cycle after their last beat.
// Memory: MEM_WORDS words of BUS_W bits loaded from mem.hex on `load`, dumped to mem_out.hex
// on `dump` (both in the simulator's working directory). The descriptor ports are driven
// directly from Python. The whole chip with AXI is rtl/csai_chip.v; this harness isolates the
// controller and lets its cycle counts be compared with the memory system removed.
module ctrl_harness #(
    parameter integer ARRAY_N      = 8,
    parameter integer BUS_W        = 64,
    parameter integer KMAX         = 2048,
    parameter integer A_PANELS     = 4,
    parameter integer MEM_WORDS    = 65536,
    parameter integer READ_LATENCY = 20
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        load,
    input  wire        dump,
    input  wire        start,
    input  wire        soft_reset,
    input  wire        overlap_enable,
    input  wire        chain_enable,
    input  wire        read_bursts,
    input  wire [31:0] chain_addr,
    input  wire [31:0] r_a_addr, r_b_addr, r_c_addr, r_bias_addr, r_map_addr,
    input  wire [15:0] r_m, r_n, r_k,
    input  wire [31:0] r_lda, r_ldb, r_ldc, r_scale,
    input  wire [5:0]  r_shift,
    input  wire [4:0]  r_flags,
    output wire        busy,
    output wire        done_pulse,
    output wire        error_pulse,
    output wire [7:0]  error_code,
    output wire [31:0] cnt_total, cnt_compute, cnt_stall, cnt_bytes_rd, cnt_bytes_wr,
    output wire [31:0] cnt_tiles, cnt_skipped
);
    localparam integer W  = BUS_W / 8;
    localparam integer WB = $clog2(W);

    reg [BUS_W-1:0] mem [0:MEM_WORDS-1];
    always @(posedge clk) begin
        if (load) $readmemh("mem.hex", mem);
        if (dump) $writememh("mem_out.hex", mem);
    end

    // controller <-> memory
    wire rq_valid, rd_ready, wq_valid, wd_valid;
    wire [31:0] rq_addr, wq_addr;
    wire [4:0]  rq_beats;
    wire [3:0] wq_beats;
    wire [BUS_W-1:0] wd_data;
    wire [W-1:0] wd_strb;
    reg  rd_valid;
    reg  [BUS_W-1:0] rd_data;

    // reads: a queue of (due cycle, address, beats); one beat out per cycle when due and taken
    reg [31:0] now;
    reg [31:0] q_due  [0:255];
    reg [31:0] q_addr [0:255];
    reg [4:0]  q_beats [0:255];
    reg [4:0]  q_beat;           // beat of the head request
    reg [7:0]  q_head, q_tail;
    wire [7:0] q_count = q_tail - q_head;   // entries queued (pointers wrap at 256)
    wire rq_ready = (q_count < 8'd200);
    wire head_due = (q_head != q_tail) && (q_due[q_head] <= now);
    always @(posedge clk) begin
        if (rst) begin
            now <= 0; q_head <= 0; q_tail <= 0; rd_valid <= 1'b0; q_beat <= 5'd0;
        end else begin
            now <= now + 1;
            if (rq_valid && rq_ready) begin
                q_due[q_tail]  <= now + READ_LATENCY;
                q_addr[q_tail] <= rq_addr;
                q_beats[q_tail] <= rq_beats;
                q_tail <= q_tail + 1'b1;
            end
            if (rd_valid && rd_ready) rd_valid <= 1'b0;
            if ((!rd_valid || rd_ready) && head_due) begin
                rd_valid <= 1'b1;
                rd_data  <= mem[(q_addr[q_head] >> WB) + {27'd0, q_beat}];
                if (q_beat == q_beats[q_head] - 5'd1) begin
                    q_beat <= 5'd0;
                    q_head <= q_head + 1'b1;
                end else q_beat <= q_beat + 5'd1;
            end
        end
    end

    // writes: take the command, then its beats; acknowledge after the last beat
    reg        w_busy;
    reg [31:0] w_word;
    reg [3:0]  w_left;
    reg        wr_resp;
    integer b;
    always @(posedge clk) begin
        if (rst) begin
            w_busy <= 1'b0; wr_resp <= 1'b0;
        end else begin
            wr_resp <= 1'b0;
            if (!w_busy && wq_valid) begin
                w_busy <= 1'b1; w_word <= wq_addr >> WB; w_left <= wq_beats;
            end else if (w_busy && wd_valid) begin
                for (b = 0; b < W; b = b + 1)
                    if (wd_strb[b]) mem[w_word][8*b +: 8] <= wd_data[8*b +: 8];
                w_word <= w_word + 1;
                w_left <= w_left - 1'b1;
                if (w_left == 4'd1) begin w_busy <= 1'b0; wr_resp <= 1'b1; end
            end
        end
    end
    wire wq_ready = !w_busy;
    wire wd_ready = w_busy;

    // the engine under test (controller, transposer, core)
    /* verilator lint_off PINCONNECTEMPTY */
    gemm_engine #(.ARRAY_N(ARRAY_N), .BUS_W(BUS_W), .KMAX(KMAX), .A_PANELS(A_PANELS),
                  .MEM_BYTES(MEM_WORDS * W)) u_engine (
        .clk(clk), .rst(rst), .start(start), .soft_reset(soft_reset),
        .overlap_enable(overlap_enable), .chain_enable(chain_enable), .chain_addr(chain_addr),
        .read_bursts(read_bursts), .r_a_addr(r_a_addr), .r_b_addr(r_b_addr), .r_c_addr(r_c_addr), .r_bias_addr(r_bias_addr),
        .r_map_addr(r_map_addr), .r_m(r_m), .r_n(r_n), .r_k(r_k), .r_lda(r_lda), .r_ldb(r_ldb),
        .r_ldc(r_ldc), .r_scale(r_scale), .r_shift(r_shift), .r_flags(r_flags),
        .busy(busy), .done_pulse(done_pulse), .error_pulse(error_pulse), .error_code(error_code),
        .cnt_total(cnt_total), .cnt_compute(cnt_compute), .cnt_stall(cnt_stall),
        .cnt_bytes_rd(cnt_bytes_rd), .cnt_bytes_wr(cnt_bytes_wr), .cnt_tiles(cnt_tiles),
        .cnt_skipped(cnt_skipped),
        .rq_valid(rq_valid), .rq_ready(rq_ready), .rq_addr(rq_addr), .rq_beats(rq_beats),
        .rd_valid(rd_valid), .rd_ready(rd_ready), .rd_data(rd_data), .rd_error(1'b0),
        .wq_valid(wq_valid), .wq_ready(wq_ready), .wq_addr(wq_addr), .wq_beats(wq_beats),
        .wd_valid(wd_valid), .wd_ready(wd_ready), .wd_data(wd_data), .wd_strb(wd_strb),
        .wr_resp(wr_resp), .wr_error(1'b0), .core_rst());
    /* verilator lint_on PINCONNECTEMPTY */
endmodule
`default_nettype wire
