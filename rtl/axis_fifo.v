`default_nettype none
// Synchronous stream FIFO with a registered output (first word falls through after one cycle).
//
// The storage is a simple dual-port RAM read synchronously (`out_data <= mem[rd_ptr]`), so large
// FIFOs map to block RAM; the output register makes the head visible as out_data whenever
// out_valid. Capacity is DEPTH entries in the RAM plus one in the output register.
// in_ready and out_valid are registered; `count` is the number of entries held (RAM + output).
// `clear` empties the FIFO synchronously (entries pushed in the same cycle are dropped).
module axis_fifo #(
    parameter integer WIDTH = 64,  // bits per entry
    parameter integer DEPTH = 16   // RAM entries, a power of two >= 2
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             clear,
    // input stream
    input  wire             in_valid,
    output wire             in_ready,
    input  wire [WIDTH-1:0] in_data,
    // output stream
    output reg              out_valid,
    input  wire             out_ready,
    output reg  [WIDTH-1:0] out_data,
    // occupancy
    output wire [($clog2(DEPTH))+1:0]    count
);
    localparam integer AW = $clog2(DEPTH);

    reg [WIDTH-1:0] mem [0:DEPTH-1];
    reg [AW-1:0]    wr_ptr, rd_ptr;
    reg [AW:0]      ram_count;   // entries in the RAM (not counting the output register)

    assign in_ready = (ram_count != DEPTH[AW:0]);
    assign count    = {1'b0, ram_count} + {{(AW+1){1'b0}}, out_valid};

    wire push = in_valid && in_ready;
    // move the RAM head into the output register when it is empty or being taken
    wire load = (ram_count != {(AW+1){1'b0}}) && (!out_valid || out_ready);

    // RAM: write port and registered read port (no reset, so it maps to block RAM)
    always @(posedge clk) begin
        if (push) mem[wr_ptr] <= in_data;
        if (load) out_data <= mem[rd_ptr];
    end

    always @(posedge clk) begin
        if (rst || clear) begin
            wr_ptr    <= {AW{1'b0}};
            rd_ptr    <= {AW{1'b0}};
            ram_count <= {(AW+1){1'b0}};
            out_valid <= 1'b0;
        end else begin
            if (push) wr_ptr <= wr_ptr + 1'b1;
            if (load) rd_ptr <= rd_ptr + 1'b1;
            ram_count <= ram_count + {{AW{1'b0}}, push} - {{AW{1'b0}}, load};
            if (load)           out_valid <= 1'b1;
            else if (out_ready) out_valid <= 1'b0;
        end
    end
endmodule
`default_nettype wire
