`default_nettype none
// Properties of rtl/axis_fifo.v (stream FIFO, block-RAM storage and a registered output),
// proven by k-induction at WIDTH = 4, DEPTH = 4 (tb/formal/axis_fifo.sby). The .sby script
// `expose`s the pointers, the RAM count and the RAM words as ports for the induction invariants.
//
// Stream rule: an entry moves on valid && ready. The output side keeps the AXI4-Stream rule
// (once out_valid is high it stays high, with out_data unchanged, until out_ready), except
// that `clear` empties the FIFO at once. Nothing is assumed about the producer or consumer.
module axis_fifo_props (
    input wire       clk,
    input wire       rst,
    input wire       clear,
    input wire       in_valid,
    input wire [3:0] in_data,
    input wire       out_ready,
    input wire       trk_pick   // free input: track the entry pushed in this cycle
);
    localparam integer WIDTH = 4, DEPTH = 4, AW = 2;

    wire             in_ready, out_valid;
    wire [WIDTH-1:0] out_data;
    wire [AW+1:0]    count;
    wire [AW-1:0]    rd_ptr, wr_ptr;
    wire [AW:0]      ram_count;
    wire [WIDTH-1:0] m0, m1, m2, m3;

    axis_fifo dut (
        .clk(clk), .rst(rst), .clear(clear), .in_valid(in_valid), .in_ready(in_ready),
        .in_data(in_data), .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data),
        .count(count), .rd_ptr(rd_ptr), .wr_ptr(wr_ptr), .ram_count(ram_count),
        .\mem[0] (m0), .\mem[1] (m1), .\mem[2] (m2), .\mem[3] (m3));

    reg f_past_valid = 1'b0;
    always @(posedge clk) f_past_valid <= 1'b1;
    always @(*) if (!f_past_valid) assume(rst);

    wire push = in_valid && in_ready;
    wire pop  = out_valid && out_ready;

    // ---- one tracked entry: its data and the number of entries ahead of it ----
    reg             trk = 1'b0;
    reg [WIDTH-1:0] trk_data;
    reg [AW+1:0]    trk_pos;
    always @(posedge clk) begin
        if (rst || clear) begin
            trk <= 1'b0;
        end else if (trk) begin
            if (pop) begin
                if (trk_pos == 0) trk <= 1'b0;
                else trk_pos <= trk_pos - 1'b1;
            end
        end else if (push && trk_pick) begin
            trk      <= 1'b1;
            trk_data <= in_data;
            trk_pos  <= count - {{(AW+1){1'b0}}, pop};
        end
    end

    function [WIDTH-1:0] word(input [AW-1:0] i);
        word = (i == 2'd0) ? m0 : (i == 2'd1) ? m1 : (i == 2'd2) ? m2 : m3;
    endfunction
    // RAM slot of the tracked entry when it is not in the output register
    wire [AW+1:0] trk_ram_pos = trk_pos - {{(AW+1){1'b0}}, out_valid};

    always @(*) begin
        if (!rst) begin
            // no overflow, no underflow: RAM holds 0..DEPTH, the whole FIFO 0..DEPTH+1
            assert(ram_count <= DEPTH);
            assert(count <= DEPTH + 1);
            // flags consistent: ready exactly when the RAM has room; count = RAM + output
            assert(in_ready == (ram_count != DEPTH));
            assert(count == ram_count + out_valid);
            // order preserved: the tracked entry is inside; with none ahead it is the next
            // to leave, shown on out_data once out_valid (a pushed entry reaches the output
            // register one cycle after it entered an empty FIFO)
            if (trk) assert(trk_pos < count);
            if (trk && trk_pos == 0 && out_valid) assert(out_data == trk_data);
            // auxiliary invariants for the induction
            assert(wr_ptr - rd_ptr == ram_count[AW-1:0]);
            if (trk && !(trk_pos == 0 && out_valid)) assert(word(rd_ptr + trk_ram_pos[AW-1:0]) == trk_data);
        end
    end

    always @(posedge clk) begin
        if (f_past_valid && !$past(rst) && !rst) begin
            // AXI4-Stream (ARM IHI 0051, 2.2.1): once TVALID is asserted it stays asserted, and
            // TDATA stays unchanged, until the handshake; only `clear` may take it back
            if ($past(out_valid && !out_ready && !clear)) assert(out_valid && $stable(out_data));
            // first word falls through after one cycle: an entry in the RAM is in the output
            // register one cycle later (or the output is still held)
            if ($past(ram_count != 0 && !clear)) assert(out_valid);
            // the count moves by exactly the handshakes of the previous cycle (or clear: 0)
            if ($past(clear)) assert(count == 0);
            else assert(count == $past(count) + $past(push) - $past(pop));
        end
    end

    // reachability: completely full, and the tracked entry leaving from behind another
    always @(posedge clk) begin
        if (!rst) cover(count == DEPTH + 1);
        if (!rst && f_past_valid) cover($past(trk && trk_pos == 1 && pop) && trk && pop);
    end
endmodule
`default_nettype wire
